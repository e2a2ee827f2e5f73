import {
  type FirehoseClient,
  type _Record as FirehoseRecord,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import type { LakeSink, LakeTable } from '../../domain/analytics/lake-records.ts';
import { type LakeRow, lakeLine } from '../../domain/analytics/lake-rows.ts';

/** PutRecordBatch's limits: 500 records and 4 MiB per call, 1,000 KiB per record. */
export const firehoseLimits = { records: 500, bytes: 4 * 1024 * 1024, recordBytes: 1000 * 1024 } as const;

export interface FirehoseLakeSinkOptions {
  /** Attempts per batch, the first included, before the sink gives up and throws. Default 4. */
  attempts?: number;
  /** The wait before attempt n + 1 (ms). Default 100 · 2ⁿ⁻¹ with jitter. */
  backoffMs?: (attempt: number) => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Throttling and service errors the whole call fails with; anything else is not worth retrying here. */
const retryableCall = (error: unknown) => {
  const e = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'ServiceUnavailableException' ||
    e?.name === 'ThrottlingException' ||
    !!e?.$retryable ||
    (e?.$metadata?.httpStatusCode ?? 0) >= 500
  );
};

/** Splits records into calls within both of PutRecordBatch's limits. */
export function batchesOf(records: readonly Uint8Array[]): Uint8Array[][] {
  const batches: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let bytes = 0;
  for (const record of records) {
    if (record.byteLength > firehoseLimits.recordBytes) {
      throw new Error(`A lake row is ${record.byteLength} bytes, over Firehose's 1,000 KiB per record`);
    }
    if (current.length === firehoseLimits.records || bytes + record.byteLength > firehoseLimits.bytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.byteLength;
  }
  if (current.length) batches.push(current);
  return batches;
}

/**
 * The lake in AWS: each table's rows go to its Firehose delivery stream (which converts them to Parquet
 * against the Glue table and writes them under `<table>/dt=YYYY-MM-DD/`), one JSON object per record,
 * newline-terminated, without `dt`. PutRecordBatch may accept some records and refuse others
 * (throttling, an internal error): only the refused ones are sent again, with back-off; a throttled call
 * is sent again whole. If some records are still refused after the last attempt the sink throws, so the
 * dispatcher retries the change — rows already accepted then arrive twice, which the lake allows
 * (at least once; the SQL dedupes).
 */
export function firehoseLakeSink(
  client: FirehoseClient,
  streams: Record<LakeTable, string>,
  options: FirehoseLakeSinkOptions = {},
): LakeSink {
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? ((n: number) => 100 * 2 ** (n - 1) * (0.5 + Math.random()));
  const encoder = new TextEncoder();

  async function send(stream: string, batch: Uint8Array[]) {
    let pending = batch;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(backoffMs(attempt - 1));
      let responses: { ErrorCode?: string; ErrorMessage?: string }[];
      try {
        const out = await client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: stream,
            Records: pending.map((Data): FirehoseRecord => ({ Data })),
          }),
        );
        if (!out.FailedPutCount) return;
        responses = out.RequestResponses ?? [];
      } catch (error) {
        if (!retryableCall(error)) throw error;
        lastError = (error as Error).name ?? 'error';
        continue;
      }
      const refused = pending.filter((_, i) => responses[i]?.ErrorCode);
      lastError = responses.find((r) => r.ErrorCode)?.ErrorCode ?? 'error';
      pending = refused;
      if (!pending.length) return;
    }
    throw new Error(
      `Firehose ${stream} refused ${pending.length} of ${batch.length} lake rows after ${attempts} attempts (${lastError})`,
    );
  }

  async function putTable<T extends LakeTable>(table: T, rows: readonly LakeRow<T>[] | undefined) {
    if (!rows?.length) return;
    const records = rows.map((row) => encoder.encode(`${lakeLine(table, row)}\n`));
    for (const batch of batchesOf(records)) await send(streams[table], batch);
  }

  return {
    async put(rows) {
      await Promise.all([
        putTable('ticket_facts', rows.ticket_facts),
        putTable('ticket_events', rows.ticket_events),
      ]);
    },
  };
}
