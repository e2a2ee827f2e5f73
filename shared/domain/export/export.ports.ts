import type { Actor } from '../actor.ts';

/**
 * An export written to a file (`POST /exports`, docs/export.md): its request and where it stands. Kept as
 * a small JSON document beside the file (S3 in AWS, the data dir locally), not in the ticket table.
 */
export interface ExportJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  format: 'csv' | 'xlsx';
  locale: 'zh' | 'en';
  /** The list filters, as validated (`ExportQuery` without format and locale). */
  filters: Record<string, unknown>;
  /** Who asked: the export shows what their list shows, and only they (or an admin) may fetch it. */
  actor: Actor;
  rows: number;
  filename: string;
  createdAt: string;
  finishedAt?: string;
  error?: string;
}

/** Where export files and their status documents live. */
export interface ExportFiles {
  /** Writes the file as it is produced (in S3 a multipart upload, one part at a time). */
  write(key: string, body: AsyncIterable<Uint8Array>, contentType: string): Promise<void>;
  putJob(job: ExportJob): Promise<void>;
  getJob(id: string): Promise<ExportJob | null>;
  /** A short-lived link to download the file (S3 presigned; a signed local link in the local runtime). */
  downloadUrl(key: string, filename: string, contentType: string, expiresInSeconds: number): Promise<string>;
}

/** Starts writing an export in the background: in process locally (docs/export.md for AWS). */
export interface ExportRunner {
  start(exportId: string): Promise<void>;
}

export interface ExportDeps {
  files: ExportFiles;
  runner: ExportRunner;
}
