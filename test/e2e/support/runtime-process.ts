import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '#infra/local/dynamodb-local.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const readyPattern = /ready at (http:\/\/localhost:\d+)/;

export interface RuntimeProcess {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Milliseconds from spawn to the ready line. */
  readyMs: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` and resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** A fresh data dir under the OS temp dir; removed by `removeDataDir`. */
export const tempDataDir = () => mkdtempSync(join(tmpdir(), 'gongdan-e2e-'));
export const removeDataDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/**
 * Starts the runtime the way a user does — `node --import tsx infra/local/main.ts --port N --data-dir D`
 * — and resolves once it prints its ready line (rejects if it exits first or takes over 60 s).
 */
export async function startRuntimeProcess(
  options: { dataDir?: string; port?: number; args?: string[]; env?: Record<string, string> } = {},
): Promise<RuntimeProcess> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? tempDataDir();
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'infra/local/main.ts',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      ...(options.args ?? []),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '', ...options.env } },
  );
  let output = '';
  // Always drain both pipes: a full pipe would block the runtime's logging.
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );

  const url = await new Promise<string>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runtime not ready within 60 s:\n${output}`));
    }, 60_000);
    const onData = () => {
      const match = output.match(readyPattern);
      if (match) {
        clearTimeout(timer);
        resolveReady(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited (code ${code}, signal ${signal}) before it was ready:\n${output}`));
    });
  });

  return {
    url,
    port,
    dataDir,
    child,
    readyMs: Date.now() - started,
    output: () => output,
    async stop(signal = 'SIGINT') {
      const t0 = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      return { ...result, ms: Date.now() - t0 };
    },
  };
}

/** Runs the CLI to completion (for start-up failures): exit code and output. */
export function runToExit(
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

/** Pids of live DynamoDB Local (Java) processes whose command line mentions `needle` (e.g. a data dir). */
export function dynamoDbLocalProcesses(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // exited while we looked
    }
    if (cmdline.includes('DynamoDBLocal') && cmdline.includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field and assert on them.
type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small JSON client for one runtime. */
export function apiClient(baseUrl: string) {
  return async function call<T = Json>(
    method: string,
    path: string,
    init: {
      token?: string;
      body?: unknown;
      rawBody?: string | Uint8Array;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | Uint8Array | undefined = init.rawBody;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text, so a failing assertion shows what came back.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
}

/** The tokens `GET /dev/tokens` hands out. */
export interface DevTokens {
  admin: string;
  supervisor: string;
  agent: string;
  integration: string;
  customer: string;
  users: { id: string; name: string; email: string; roles: string[]; token: string }[];
}

/** One runtime shared by a suite's tests: started before them, stopped (with its data) after them. */
export interface RuntimeSuite {
  dataDir: string;
  runtime: RuntimeProcess;
  api: ReturnType<typeof apiClient>;
  tokens: DevTokens;
}

/**
 * Registers `beforeAll`/`afterAll` in the calling suite: start a runtime in a fresh data dir with
 * `args`, fetch the dev tokens; afterwards stop it with `stopSignal`, kill any DynamoDB Local it left
 * and remove the data dir. The fields are set once `beforeAll` has run.
 */
export function runtimeSuite(
  options: { args?: string[]; env?: Record<string, string>; stopSignal?: NodeJS.Signals } = {},
): RuntimeSuite {
  const suite = { dataDir: tempDataDir() } as RuntimeSuite;
  beforeAll(async () => {
    suite.runtime = await startRuntimeProcess({
      dataDir: suite.dataDir,
      args: options.args ?? [],
      ...(options.env ? { env: options.env } : {}),
    });
    suite.api = apiClient(suite.runtime.url);
    suite.tokens = (await suite.api<DevTokens>('GET', '/dev/tokens')).body;
  });
  afterAll(async () => {
    await suite.runtime?.stop(options.stopSignal ?? 'SIGINT');
    for (const pid of dynamoDbLocalProcesses(suite.dataDir)) process.kill(pid, 'SIGKILL');
    removeDataDir(suite.dataDir);
  });
  return suite;
}
