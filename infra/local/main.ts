// First: Node 20 gaps and the SDK's Node 20 notice, before any AWS SDK module loads.
import './polyfills.ts';
import { ensureConsoleBuilt } from '../tools/console-build.ts';
import { parseCommandLine, usage } from './cli.ts';
import { type LocalRuntime, type RuntimeOptions, startRuntime } from './runtime.ts';

const stopDeadlineMs = 9000;

async function main() {
  let options: RuntimeOptions | 'help';
  try {
    options = parseCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(usage);
    return;
  }

  let runtime: LocalRuntime | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      console.error(`Received ${signal} again; exiting now`);
      process.exit(130); // DynamoDB Local is killed by its process 'exit' hook
    }
    stopping = true;
    console.log(`Received ${signal}; stopping…`);
    setTimeout(() => {
      console.error('Stopping took too long; exiting anyway');
      process.exit(1);
    }, stopDeadlineMs).unref();
    // Still starting: main() stops the runtime as soon as it is up (the deadline above still holds).
    if (!runtime) return;
    runtime.stop().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('Failed to stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    // The console is served from console/dist: build it first when its sources are newer.
    await ensureConsoleBuilt();
    runtime = await startRuntime(options);
  } catch (error) {
    console.error(
      `Gongdan local runtime failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
  if (stopping) {
    // A signal arrived during start-up: shutdown() saw no runtime yet, so stop it now.
    await runtime.stop();
    process.exit(0);
  }
  const seeded = runtime.seed.seeded ? `, demo data seeded (${runtime.seed.tickets} tickets)` : '';
  console.log(
    `Gongdan local runtime ready at ${runtime.url} in ${(runtime.startupMs / 1000).toFixed(1)} s ` +
      `(data: ${runtime.dataDir}, DynamoDB Local: ${runtime.dynamo.endpoint}, time scale: ${runtime.clock.timeScale}${seeded})`,
  );
  console.log(
    `Console: ${runtime.url}/console/ · portal: ${runtime.url}/portal · API document: ${runtime.url}/openapi.json`,
  );
  console.log(
    `Tokens: ${runtime.url}/dev/tokens · outbox: ${runtime.url}/dev/outbox · clock: ${runtime.url}/dev/clock`,
  );
}

await main();
