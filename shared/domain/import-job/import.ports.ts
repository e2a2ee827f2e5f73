import type { ImportField } from '../import/import-fields.ts';
import type { ImportRecord, ImportStatus } from './import-job.ts';

/** Import records, their list and the saved mappings, in the one table (table-design.ts). */
export interface ImportStore {
  create(record: ImportRecord): Promise<void>;
  get(id: string): Promise<ImportRecord | null>;
  /**
   * Sets these fields; with `statusIn`, only while the import is in one of those statuses (how two
   * requests to check or commit the same import are told apart). False when the condition failed.
   */
  update(
    id: string,
    fields: Partial<Omit<ImportRecord, 'id'>>,
    expect?: { statusIn: readonly ImportStatus[] },
  ): Promise<boolean>;
  /**
   * Adds one committed chunk's counts, marks the chunk done and moves the checkpoint, on condition that
   * the chunk is not done yet (a chunk replayed after a crash adds nothing twice). False when it was.
   */
  addChunk(
    id: string,
    chunk: {
      index: number;
      lastRow: number;
      processed: number;
      created: number;
      skipped: number;
      at: string;
    },
  ): Promise<boolean>;
  /** Newest first. */
  list(limit: number): Promise<ImportRecord[]>;
  putMapping(name: string, mapping: Record<string, ImportField | null>, at: string): Promise<void>;
  getMapping(name: string): Promise<Record<string, ImportField | null> | null>;
  listMappings(): Promise<{ name: string; mapping: Record<string, ImportField | null>; updatedAt: string }[]>;
}

/** Where uploaded files and their issue files are kept: S3 in AWS, the data dir locally. */
export interface ImportFiles {
  /** The key an import's file is stored under. */
  keyFor(importId: string, fileName: string): string;
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The bytes, streamed (read again for every pass: check, commit, resume). */
  read(key: string): AsyncIterable<Uint8Array>;
  size(key: string): Promise<number | null>;
  /** A link to PUT the file to directly (S3 presigned; API Gateway caps request bodies at 10 MB). */
  uploadUrl(key: string, contentType: string, expiresInSeconds: number): Promise<string>;
  /** A file written piece by piece (the issues of a run as JSON lines, a chunk manifest). */
  writer(key: string): { write(text: string): Promise<void>; close(): Promise<void> };
}

/** Starts the background work of an import: in process locally, a Step Functions execution in AWS. */
export interface ImportRunner {
  start(importId: string, phase: 'check' | 'commit'): Promise<void>;
}
