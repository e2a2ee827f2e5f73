import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '#infra/local/dynamodb-local.ts';
import {
  apiClient,
  type DevTokens,
  dynamoDbLocalProcesses,
  type RuntimeProcess,
  removeDataDir,
  runToExit,
  startRuntimeProcess,
  tempDataDir,
} from './support/runtime-process.ts';

const started: RuntimeProcess[] = [];
const dirs: string[] = [];

async function start(options: Parameters<typeof startRuntimeProcess>[0] = {}) {
  const runtime = await startRuntimeProcess(options);
  started.push(runtime);
  return runtime;
}

function dataDir() {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(started.map((r) => r.stop('SIGKILL')));
  for (const dir of dirs) {
    for (const pid of dynamoDbLocalProcesses(dir)) process.kill(pid, 'SIGKILL');
    removeDataDir(dir);
  }
});

const clockNow = async (url: string) => Date.parse((await apiClient(url)('GET', '/dev/clock')).body.now);

describe('Starting, stopping and restarting the local runtime', () => {
  const dir = dataDir();
  let ticketId: string;
  let agentToken: string;
  let lastVirtualTime: number;

  it('runs its virtual clock faster than wall time with --time-scale', async () => {
    // Prepare
    const runtime = await start({ dataDir: dir, args: ['--time-scale', '600'] });
    const api = apiClient(runtime.url);
    // Act
    const wall0 = Date.now();
    const first = await clockNow(runtime.url);
    await new Promise((r) => setTimeout(r, 1000));
    const second = await clockNow(runtime.url);
    const wallElapsed = Date.now() - wall0;
    // Assess: 600 virtual seconds per real second (allowing for request latency)
    expect(second - first).toBeGreaterThan(500 * 1000);
    expect(second - first).toBeLessThanOrEqual(600 * (wallElapsed + 50));

    const tokens = (await api<DevTokens>('GET', '/dev/tokens')).body;
    agentToken = tokens.agent;
    const created = await api('POST', '/tickets', {
      token: agentToken,
      body: { subject: '重启后还在吗', customer: { email: 'restart@example.com' } },
    });
    expect(created.status).toBe(201);
    ticketId = created.body.id;
    // Every timestamp written is on the virtual clock, well ahead of the wall clock by now.
    expect(Date.parse(created.body.createdAt)).toBeGreaterThanOrEqual(second);
    expect(Date.parse(created.body.createdAt)).toBeGreaterThan(Date.now() + 10 * 60 * 1000);
    lastVirtualTime = await clockNow(runtime.url);
  });

  it('stops on SIGINT within 10 s and leaves no DynamoDB Local process behind', async () => {
    const runtime = started.at(-1)!;
    expect(dynamoDbLocalProcesses(dir)).toHaveLength(1);

    const { code, ms } = await runtime.stop('SIGINT');

    expect(ms).toBeLessThan(10_000);
    expect(code).toBe(0);
    expect(dynamoDbLocalProcesses(dir)).toEqual([]);
  });

  it('keeps tickets, signing key and virtual time across a restart on the same data dir', async () => {
    const runtime = await start({ dataDir: dir });
    const api = apiClient(runtime.url);

    // A token from the previous run is still valid: the key pair is kept in the data dir.
    const ticket = await api('GET', `/tickets/${ticketId}`, { token: agentToken });
    expect(ticket.status).toBe(200);
    expect(ticket.body.subject).toBe('重启后还在吗');
    // The clock never runs backwards, even though this run's time scale is 1.
    expect(await clockNow(runtime.url)).toBeGreaterThanOrEqual(lastVirtualTime);

    const { code, ms } = await runtime.stop('SIGTERM');
    expect(ms).toBeLessThan(10_000);
    expect(code).toBe(0);
    expect(dynamoDbLocalProcesses(dir)).toEqual([]);
  });

  it('wipes the data with --reset (and seeds afresh)', async () => {
    const runtime = await start({ dataDir: dir, args: ['--reset'] });
    const api = apiClient(runtime.url);
    const tokens = (await api<DevTokens>('GET', '/dev/tokens')).body;

    expect((await api('GET', `/tickets/${ticketId}`, { token: tokens.agent })).status).toBe(404);
    const list = await api('GET', '/tickets?limit=100', { token: tokens.agent });
    expect(list.body.items.length).toBeGreaterThanOrEqual(5);
    expect(list.body.items.map((t: { subject: string }) => t.subject)).not.toContain('重启后还在吗');
    // The old key pair went with the data: the earlier token no longer verifies.
    expect((await api('GET', '/tickets', { token: agentToken })).status).toBe(401);
    agentToken = tokens.agent;
  });

  it('stops a DynamoDB Local left behind by a hard-killed runtime on the next start', async () => {
    // Prepare: kill the runtime without a chance to clean up; its Java survives it
    const killed = started.at(-1)!;
    const [orphan] = dynamoDbLocalProcesses(dir);
    expect(orphan).toBeDefined();
    await killed.stop('SIGKILL');
    expect(dynamoDbLocalProcesses(dir)).toEqual([orphan]);
    // Act
    const next = await start({ dataDir: dir, args: ['--no-seed'] });
    // Assess
    expect(dynamoDbLocalProcesses(dir)).not.toContain(orphan);
    expect(dynamoDbLocalProcesses(dir)).toHaveLength(1);
    const list = await apiClient(next.url)('GET', '/tickets?limit=100', { token: agentToken });
    expect(list.body.items.length).toBeGreaterThanOrEqual(5);
    await next.stop();
    expect(dynamoDbLocalProcesses(dir)).toEqual([]);
  });
});

describe('Two runtimes side by side', () => {
  let a: RuntimeProcess;
  let b: RuntimeProcess;

  it('run on different ports and data dirs without seeing each other’s data', async () => {
    // Prepare
    [a, b] = await Promise.all([
      start({ dataDir: dataDir(), args: ['--no-seed'] }),
      start({ dataDir: dataDir(), args: ['--no-seed'] }),
    ]);
    const apiA = apiClient(a.url);
    const apiB = apiClient(b.url);
    // Act
    const tokenA = (await apiA<DevTokens>('GET', '/dev/tokens')).body.agent;
    const tokenB = (await apiB<DevTokens>('GET', '/dev/tokens')).body.agent;
    const created = await apiA('POST', '/tickets', {
      token: tokenA,
      body: { subject: 'only in A', customer: { email: 'a@example.com' } },
    });
    // Assess
    expect((await apiA('GET', '/health')).status).toBe(200);
    expect((await apiB('GET', '/health')).status).toBe(200);
    expect((await apiB('GET', `/tickets/${created.body.id}`, { token: tokenB })).status).toBe(404);
    // Each signs its own tokens.
    expect((await apiB('GET', '/tickets', { token: tokenA })).status).toBe(401);
  });

  it('refuses a data dir another runtime is using, and a busy port, without disturbing the first', async () => {
    const sameDir = await runToExit(['--port', String(await freePort()), '--data-dir', a.dataDir]);
    expect(sameDir.code).not.toBe(0);
    expect(sameDir.output).toMatch(/in use/);

    const other = dataDir();
    const samePort = await runToExit(['--port', String(a.port), '--data-dir', other]);
    expect(samePort.code).not.toBe(0);
    expect(samePort.output).toMatch(/already in use/);
    expect(dynamoDbLocalProcesses(other)).toEqual([]);

    expect((await apiClient(a.url)('GET', '/health')).status).toBe(200);
    expect(dynamoDbLocalProcesses(a.dataDir)).toHaveLength(1);
  });

  it('answers /health with 503 when DynamoDB Local is gone, and still stops cleanly', async () => {
    // Act
    for (const pid of dynamoDbLocalProcesses(b.dataDir)) process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const health = await apiClient(b.url)('GET', '/health');
    // Assess
    expect(health.status).toBe(503);
    expect(health.body.status).not.toBe('ok');
    expect((await apiClient(a.url)('GET', '/health')).status).toBe(200);
    const stopped = await Promise.all([a.stop('SIGINT'), b.stop('SIGINT')]);
    for (const { code, ms } of stopped) {
      expect(code).toBe(0);
      expect(ms).toBeLessThan(10_000);
    }
    expect(dynamoDbLocalProcesses(a.dataDir)).toEqual([]);
  });
});

describe('The command line', () => {
  it('rejects bad options with a usage message', async () => {
    const result = await runToExit(['--time-scale', 'fast']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('--time-scale');
    expect(result.output).toContain('Usage');
  });
});
