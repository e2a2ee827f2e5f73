import { parseArgs } from 'node:util';
import type { RuntimeOptions } from './runtime.ts';

export const usage = `Usage: npm start -- [options]

  --port N          HTTP port (default: env PORT, else 3000; 0 picks a free port)
  --data-dir DIR    where local data lives (default: .gongdan/)
  --time-scale N    virtual seconds per real second (default: 1; 600 = ten minutes per second)
  --reset           wipe the data dir first
  --no-seed         do not seed demo data on first start
  --allow-host NAME answer requests for this Host besides localhost (repeatable; also env
                    GONGDAN_ALLOWED_HOSTS=a,b); any other Host gets a 403
  --help            show this help
`;

/** Parses the command line (DESIGN.md §4) into runtime options; throws with a message on bad input. */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): RuntimeOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'time-scale': { type: 'string' },
      reset: { type: 'boolean' },
      'no-seed': { type: 'boolean' },
      'allow-host': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const portText = values.port ?? (env.PORT || '3000');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`--port must be 0–65535, got "${portText}"`);
  const scaleText = values['time-scale'] ?? '1';
  const timeScale = Number(scaleText);
  if (!(Number.isFinite(timeScale) && timeScale > 0))
    throw new Error(`--time-scale must be a number > 0, got "${scaleText}"`);
  return {
    port,
    dataDir: values['data-dir'] ?? '.gongdan',
    timeScale,
    reset: values.reset ?? false,
    seed: !values['no-seed'],
    ...(values['allow-host'] ? { allowedHosts: values['allow-host'] } : {}),
  };
}
