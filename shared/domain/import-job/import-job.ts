import * as z from 'zod';
import { DomainError } from '../errors.ts';
import type { ImportIssue } from '../import/check-import.ts';
import type { ImportField } from '../import/import-fields.ts';

/**
 * An import run (docs/import.md, "Running an import"): one uploaded file, checked and perhaps committed
 * in the background, with its counts, its first issues and the checkpoint a resumed commit goes on from.
 */
export const importStatuses = [
  'uploading',
  'checking',
  'checked',
  'committing',
  'completed',
  'failed',
] as const;
export type ImportStatus = (typeof importStatuses)[number];

/** The most issues kept on the record itself; every issue is in the issues file (`errors.csv`). */
export const inlineIssueLimit = 500;

/** The largest file an import takes (the contract's 50 MiB). */
export const importMaxBytes = 50 * 1024 * 1024;

/** Rows per batch (the chunk handler's unit; a Distributed Map item in AWS). */
export const defaultBatchSize = 200;

/**
 * Header text → field (null: ignore the column). Any field name passes here: the reader refuses one
 * that is not in `importFields` with IMPORT.UNKNOWN_FIELD, naming it, before anything is read.
 */
export const ImportMapping = z
  .record(z.string().max(200), z.string().max(60).nullable())
  .transform((m) => m as Record<string, ImportField | null>);

/** What the caller may choose about reading the file (the contract's options, as the API takes them). */
export const ImportRunOptions = z.object({
  mapping: ImportMapping.optional(),
  applySuggestions: z.boolean().optional(),
  dateOrder: z.enum(['dmy', 'mdy']).optional(),
  timeZone: z.string().min(1).max(64).optional(),
});
export type ImportRunOptions = z.infer<typeof ImportRunOptions>;

export interface ImportProgress {
  rowsPerSecond: number;
  etaSeconds: number | null;
}

export interface ImportRecord {
  id: string;
  fileName: string;
  format: 'csv' | 'xlsx';
  contentType: string;
  size: number;
  /** Where the uploaded bytes are (the storage adapter's key). */
  fileKey: string;
  encoding: string | null;
  headers: string[];
  mapping: Record<string, ImportField | null>;
  options: ImportRunOptions;
  status: ImportStatus;
  dryRun: boolean;
  /** Data rows in the file (known once a check has read it). */
  total: number;
  /** Rows the current run has gone through. */
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  errorCount: number;
  warningCount: number;
  /** The first `inlineIssueLimit` issues of the latest check or commit. */
  errors: ImportIssue[];
  /** The data row number of the last row the commit has committed (a resumed commit starts after it). */
  checkpoint: number;
  /** When the current phase started (rows per second are counted from here), and how many rows it skipped. */
  phaseStartedAt: string | null;
  phaseStartRow: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  failure?: { code: string; message: string };
  /** The chunks (of `batchSize` rows) the current commit has committed: a resumed commit passes over them. */
  doneChunks: number[];
}

/** The import as `GET /imports/{id}` answers it. */
export function importView(record: ImportRecord, now: Date) {
  return {
    id: record.id,
    fileName: record.fileName,
    format: record.format,
    encoding: record.encoding,
    headers: record.headers,
    mapping: record.mapping,
    options: record.options,
    status: record.status,
    dryRun: record.dryRun,
    total: record.total,
    processed: record.processed,
    created: record.created,
    updated: record.updated,
    skipped: record.skipped,
    errorCount: record.errorCount,
    warningCount: record.warningCount,
    errors: record.errors,
    progress: progressOf(record, now),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.failure ? { failure: record.failure } : {}),
  };
}
export type ImportView = ReturnType<typeof importView>;

/** Rows per second since the phase started, and the seconds left at that rate (null before any row). */
export function progressOf(
  record: Pick<
    ImportRecord,
    'status' | 'processed' | 'total' | 'phaseStartedAt' | 'phaseStartRow' | 'updatedAt'
  >,
  now: Date,
): ImportProgress {
  if (!record.phaseStartedAt) return { rowsPerSecond: 0, etaSeconds: null };
  const running = record.status === 'checking' || record.status === 'committing';
  const until = running ? now.getTime() : Date.parse(record.updatedAt);
  const seconds = Math.max(0.001, (until - Date.parse(record.phaseStartedAt)) / 1000);
  const done = Math.max(0, record.processed - record.phaseStartRow);
  const rowsPerSecond = Math.round((done / seconds) * 10) / 10;
  if (!running) return { rowsPerSecond, etaSeconds: 0 };
  const left = Math.max(0, record.total - record.processed);
  // A first check does not know the total until it has read the file: no ETA while it is still reading.
  if (record.status === 'checking' && left === 0) return { rowsPerSecond, etaSeconds: null };
  return {
    rowsPerSecond,
    etaSeconds: rowsPerSecond > 0 && record.total > 0 ? Math.ceil(left / rowsPerSecond) : null,
  };
}

export const importNotFound = (id: string) =>
  new DomainError('not_found', 'IMPORT.NOT_FOUND', `Import ${id} does not exist`, { importId: id });

export const importBusy = (id: string, status: ImportStatus) =>
  new DomainError('conflict', 'IMPORT.BUSY', `Import ${id} is ${status}; wait until it has finished`, {
    importId: id,
    status,
  });

export const importAlreadyCommitted = (id: string) =>
  new DomainError('conflict', 'IMPORT.ALREADY_COMMITTED', `Import ${id} has been committed already`, {
    importId: id,
  });

export const importNotUploaded = (id: string) =>
  new DomainError('conflict', 'IMPORT.NOT_UPLOADED', `The file of import ${id} has not been uploaded yet`, {
    importId: id,
  });

export const mappingNotFound = (name: string) =>
  new DomainError('not_found', 'IMPORT.MAPPING_NOT_FOUND', `No saved mapping is named "${name}"`, { name });
