import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakeSink, LakeTable } from '../../domain/analytics/lake-records.ts';
import { type LakeRow, lakeLine, partitionOf } from '../../domain/analytics/lake-rows.ts';

export interface JsonlLakeSinkOptions {
  /** The lake's root: `<dataDir>/lake`. */
  dir: string;
  /** Names this writer's files (`<writer>-<seq>.jsonl`); one writer per data dir. Default `local`. */
  writer?: string;
  /** Small files a partition may hold before they are merged into one. Default 32. */
  maxSmallFiles?: number;
  /** Files from this size on count as merged and are left alone. Default 1 MiB. */
  smallFileBytes?: number;
}

/** Where the partially written files wait: inside the lake (one filesystem, so rename is atomic), outside every table. */
const tmpDirName = '.tmp';

const seqWidth = 10;

/**
 * The lake under the data dir (docs/analytics.md, "Local files"):
 * `<dir>/<table>/dt=YYYY-MM-DD/<writer>-<seq>.jsonl`, one JSON object per line in the table's column
 * order, without `dt` (it is the directory), as DuckDB's `read_json(…, hive_partitioning = true)` reads it.
 *
 * DuckDB may read while this writes, so no reader ever sees part of a line: every file is written whole
 * in `<dir>/.tmp/` and renamed into its partition. Puts that arrive while a write is under way are
 * written together with the next one (a group commit: under load many changes share one file; `put`
 * resolves once its rows are in place). To keep the number of files bounded, when a partition holds more
 * than `maxSmallFiles` files under `smallFileBytes`, they are concatenated into one (written and renamed
 * the same way) and then removed: a reader in between may see those rows twice, which the lake allows
 * (at least once; the SQL keeps the highest version per ticket and one row per event id). Directories are
 * 0700 and files 0600, as everything in the data dir.
 */
export function jsonlLakeSink(options: JsonlLakeSinkOptions): LakeSink {
  const writer = options.writer ?? 'local';
  const maxSmallFiles = options.maxSmallFiles ?? 32;
  const smallFileBytes = options.smallFileBytes ?? 1024 * 1024;
  const tmpDir = join(options.dir, tmpDirName);
  const prefix = `${writer}-`;
  /** The next sequence number per partition directory, found from its files the first time. */
  const nextSeq = new Map<string, number>();
  let tmpCounter = 0;
  let ready: Promise<void> | undefined;

  type Queued = { lines: Map<string, string[]>; resolve: () => void; reject: (e: unknown) => void };
  let queue: Queued[] = [];
  let running: Promise<void> | null = null;

  /** Clears what a killed writer left half-written (never visible to readers). */
  const prepare = () =>
    (ready ??= (async () => {
      await mkdir(tmpDir, { recursive: true, mode: 0o700 });
      for (const name of await readdir(tmpDir)) {
        if (name.startsWith(prefix)) await rm(join(tmpDir, name), { force: true });
      }
    })());

  async function seqFor(partitionDir: string): Promise<number> {
    let seq = nextSeq.get(partitionDir);
    if (seq === undefined) {
      await mkdir(partitionDir, { recursive: true, mode: 0o700 });
      const taken = (await readdir(partitionDir))
        .filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl'))
        .map((n) => Number.parseInt(n.slice(prefix.length, -'.jsonl'.length), 10))
        .filter(Number.isFinite);
      seq = taken.length ? Math.max(...taken) + 1 : 0;
    }
    nextSeq.set(partitionDir, seq + 1);
    return seq;
  }

  /** Writes `body` whole beside the lake and renames it into `partitionDir`. */
  async function place(partitionDir: string, body: string): Promise<string> {
    const seq = await seqFor(partitionDir);
    const name = `${prefix}${String(seq).padStart(seqWidth, '0')}.jsonl`;
    const tmp = join(tmpDir, `${prefix}${process.pid}-${tmpCounter++}.tmp`);
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, join(partitionDir, name));
    return name;
  }

  /** Merges the partition's small files of this writer into one when there are too many. */
  async function compact(partitionDir: string) {
    const names = (await readdir(partitionDir)).filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl'));
    if (names.length <= maxSmallFiles) return;
    const sized = await Promise.all(
      names.map(async (name) => ({ name, size: (await stat(join(partitionDir, name))).size })),
    );
    const small = sized.filter((f) => f.size < smallFileBytes).map((f) => f.name);
    if (small.length <= maxSmallFiles) return;
    small.sort();
    const bodies = await Promise.all(small.map((name) => readFile(join(partitionDir, name), 'utf8')));
    await place(partitionDir, bodies.join(''));
    for (const name of small) await unlink(join(partitionDir, name));
  }

  async function flush(batch: Queued[]) {
    await prepare();
    const merged = new Map<string, string[]>();
    for (const q of batch) {
      for (const [dir, lines] of q.lines) merged.set(dir, [...(merged.get(dir) ?? []), ...lines]);
    }
    for (const [partitionDir, lines] of merged) {
      await place(partitionDir, `${lines.join('\n')}\n`);
      await compact(partitionDir);
    }
  }

  function pump() {
    if (running || !queue.length) return;
    const batch = queue;
    queue = [];
    running = flush(batch).then(
      () => {
        for (const q of batch) q.resolve();
      },
      (error: unknown) => {
        for (const q of batch) q.reject(error);
      },
    );
    void running.finally(() => {
      running = null;
      pump();
    });
  }

  function linesOf<T extends LakeTable>(
    table: T,
    rows: readonly LakeRow<T>[] | undefined,
    into: Map<string, string[]>,
  ) {
    for (const row of rows ?? []) {
      const dir = join(options.dir, table, `dt=${row.dt || partitionOf(row.at_ms)}`);
      into.set(dir, [...(into.get(dir) ?? []), lakeLine(table, row)]);
    }
  }

  return {
    put(rows) {
      const lines = new Map<string, string[]>();
      linesOf('ticket_facts', rows.ticket_facts, lines);
      linesOf('ticket_events', rows.ticket_events, lines);
      if (!lines.size) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ lines, resolve, reject });
        pump();
      });
    },
  };
}
