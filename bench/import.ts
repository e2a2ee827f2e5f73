/**
 * Bulk import through the local runtime over HTTP (docs/import.md): `node --import tsx bench/import.ts
 * [rows]` (default 100,000). Generates a CSV of historical tickets (90 % closed, 10 % resolved, the
 * legacy desk's numbers), uploads it with `POST /imports?dryRun=false`, polls `GET /imports/{id}` until
 * it completes, and prints the check and commit rates and the runtime process's peak RSS (VmHWM): the
 * file is read as a stream, in chunks of 200 rows, so memory stays flat whatever the row count.
 *
 * The runtime runs as its own process (as a user starts it), so its memory is measured apart from this
 * script's (which holds the file to upload). Figures are for this machine and DynamoDB Local (Java on
 * the same cores), not for AWS, where the chunks run in a Distributed Map.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { freePort } from '../infra/local/dynamodb-local.ts';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers, read field by field
type Json = Record<string, any>;

const rows = Number(process.argv[2] ?? 100_000);
const repoRoot = resolve(import.meta.dirname, '..');

/** The CSV: header and `count` rows, as a legacy desk exports them (local times, Chinese subjects). */
function legacyCsv(count: number): Buffer {
  const header = [
    '工单号',
    '标题',
    '状态',
    '优先级',
    '客户邮箱',
    '客户名称',
    '创建时间',
    '解决时间',
    '关闭时间',
  ];
  const out: string[] = [stringify([header])];
  const priorities = ['低', '普通', '高', '紧急'];
  for (let start = 0; start < count; start += 10_000) {
    const block: string[][] = [];
    for (let i = start; i < Math.min(count, start + 10_000); i++) {
      const day = 1 + (i % 28);
      const closed = i % 10 !== 0;
      block.push([
        `LEGACY-${String(i + 1).padStart(7, '0')}`,
        `历史工单 ${i + 1}：打印机卡纸，三楼`,
        closed ? '已关闭' : '已解决',
        priorities[i % 4]!,
        `customer${i % 5000}@example.com`,
        `客户${i % 5000}`,
        `2024-03-${String(day).padStart(2, '0')} 09:${String(i % 60).padStart(2, '0')}`,
        `2024-04-${String(day).padStart(2, '0')} 10:00`,
        closed ? `2024-04-${String(day).padStart(2, '0')} 18:00` : '',
      ]);
    }
    out.push(stringify(block));
  }
  return Buffer.from(out.join(''));
}

async function startRuntime(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/main.ts', '--port', String(port), '--data-dir', dataDir],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '' } },
  );
  return new Promise((resolveReady, reject) => {
    let head = '';
    const timer = setTimeout(() => reject(new Error(`runtime not ready in 90 s:\n${head}`)), 90_000);
    child.stderr!.resume();
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      // Only the start is kept (the ready line); the rest, a line per record dispatched, is dropped.
      if (head.length < 100_000) head += d;
      const ready = /ready at (http:\/\/localhost:\d+)/.exec(head);
      if (ready) {
        clearTimeout(timer);
        resolveReady({ url: ready[1]!, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`runtime exited (${code}) before it was ready:\n${head}`)));
  });
}

/** The process's peak resident set (VmHWM) in MiB, from /proc (Linux). */
const peakRssMiB = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
};
const rssMiB = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024);
};

const dataDir = mkdtempSync(join(tmpdir(), 'gongdan-bench-import-'));
const { url, child } = await startRuntime(dataDir);
try {
  const api = async (method: string, path: string, token: string, body?: Buffer, type?: string) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) },
      ...(body ? { body } : {}),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const tokens = (await (await fetch(`${url}/dev/tokens`)).json()) as { admin: string };
  const csv = legacyCsv(rows);
  const idleRss = rssMiB(child.pid!);
  console.log(
    `file: ${rows} rows, ${(csv.length / 1024 / 1024).toFixed(1)} MiB; runtime RSS before: ${idleRss} MiB`,
  );

  const started = performance.now();
  const upload = await api(
    'POST',
    '/imports?dryRun=false&applySuggestions=true&fileName=legacy.csv',
    tokens.admin,
    csv,
    'text/csv',
  );
  if (upload.status !== 202) throw new Error(`upload: ${upload.status} ${JSON.stringify(upload.body)}`);
  const uploadedMs = performance.now() - started;
  const id = upload.body.importId as string;
  let checkedAt: number | undefined;
  let record: Json = {};
  let lastPrint = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    record = (await api('GET', `/imports/${id}`, tokens.admin)).body;
    if (record.status === 'committing' && checkedAt === undefined) checkedAt = performance.now();
    if (performance.now() - lastPrint > 10_000) {
      lastPrint = performance.now();
      console.log(
        `  ${record.status} ${record.processed}/${record.total}, ${record.progress?.rowsPerSecond} rows/s, ETA ${record.progress?.etaSeconds} s, runtime RSS ${rssMiB(child.pid!)} MiB`,
      );
    }
    if (record.status === 'completed' || record.status === 'failed') break;
  }
  const doneAt = performance.now();
  const checkSeconds = ((checkedAt ?? doneAt) - started - uploadedMs) / 1000;
  const commitSeconds = (doneAt - (checkedAt ?? started)) / 1000;
  console.log(
    JSON.stringify(
      {
        rows,
        status: record.status,
        created: record.created,
        skipped: record.skipped,
        errors: record.errorCount,
        uploadSeconds: +(uploadedMs / 1000).toFixed(1),
        checkRowsPerSecond: Math.round(rows / checkSeconds),
        commitRowsPerSecond: Math.round(rows / commitSeconds),
        endToEndRowsPerSecond: Math.round(rows / ((doneAt - started) / 1000)),
        runtimePeakRssMiB: peakRssMiB(child.pid!),
        fileMiB: +(csv.length / 1024 / 1024).toFixed(1),
      },
      null,
      2,
    ),
  );
  if (record.status !== 'completed') process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
