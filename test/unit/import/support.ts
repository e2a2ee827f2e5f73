import type { CheckedRow } from '../../../shared/domain/import/check-import.ts';

/** A file as `openImport` reads it: a fresh stream of chunks on every call (small chunks split characters). */
export const sourceOf = (bytes: Uint8Array, chunkSize = 4096) =>
  async function* () {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  };

export async function collect(rows: AsyncIterable<CheckedRow>): Promise<CheckedRow[]> {
  const all: CheckedRow[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

export const utf8 = (text: string) => new TextEncoder().encode(text);
