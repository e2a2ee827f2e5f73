import * as z from 'zod';
import type { Actor } from '../domain/actor.ts';
import { DomainError } from '../domain/errors.ts';
import type { ExportDeps, ExportJob } from '../domain/export/export.ports.ts';
import type { TicketDeps } from './deps.ts';
import {
  ExportQuery,
  exportContentTypes,
  exportFile,
  exportFilename,
  exportTickets,
} from './export-tickets.ts';

/**
 * Exports written to a file (docs/export.md): `POST /exports` records the request and starts the work in
 * the background; the file is written page by page as the list is read (an S3 multipart upload in AWS,
 * the data dir locally); `GET /exports/{id}` tells how it stands and, once done, gives a download link.
 * For files larger than a response may be (API Gateway and Lambda cap it at 6 MB).
 */
export type ExportingDeps = TicketDeps & { exporting: ExportDeps };

/** The body of `POST /exports`: the export query (format, locale and the list's filters). */
export const StartExportBody = ExportQuery;
export type StartExportBody = z.infer<typeof StartExportBody>;

export const ExportView = z.object({
  exportId: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  format: z.enum(['csv', 'xlsx']),
  rows: z.number().int(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  downloadUrl: z.string().optional(),
  expiresAt: z.string().optional(),
  error: z.string().optional(),
});

/** How long a download link works. */
const linkSeconds = 15 * 60;

export const exportKey = (job: Pick<ExportJob, 'id' | 'format'>) => `exports/${job.id}.${job.format}`;

export async function startExport(body: StartExportBody, actor: Actor, deps: ExportingDeps) {
  const { format, locale, ...filters } = body;
  const now = deps.clock.now();
  const job: ExportJob = {
    id: deps.ids.next(),
    status: 'running',
    format,
    locale,
    filters,
    actor,
    rows: 0,
    filename: exportFilename(format, now),
    createdAt: now.toISOString(),
  };
  await deps.exporting.files.putJob(job);
  await deps.exporting.runner.start(job.id);
  return { exportId: job.id };
}

/** Writes the export's file and records the outcome; a job already finished is left as it is. */
export async function runExport(exportId: string, deps: ExportingDeps): Promise<void> {
  const { files } = deps.exporting;
  const job = await files.getJob(exportId);
  if (job?.status !== 'running') return;
  const counter = { rows: 0 };
  try {
    const query = ExportQuery.parse({ ...job.filters, format: job.format, locale: job.locale });
    const file = exportFile(exportTickets(query, job.actor, deps), job.format, job.locale, counter);
    await files.write(exportKey(job), file, exportContentTypes[job.format]);
    await files.putJob({
      ...job,
      status: 'done',
      rows: counter.rows,
      finishedAt: deps.clock.now().toISOString(),
    });
    deps.logger.info('export.done', { exportId, format: job.format, rows: counter.rows });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.error('export.failed', { exportId, error: message });
    await files.putJob({
      ...job,
      status: 'failed',
      rows: counter.rows,
      finishedAt: deps.clock.now().toISOString(),
      error: 'The export could not be written; try again',
    });
  }
}

const exportNotFound = (id: string) =>
  new DomainError('not_found', 'EXPORT.NOT_FOUND', `There is no export ${id}`, { exportId: id });

/** Where an export stands; its download link once done. Only its requester (or an admin) sees it. */
export async function getExport(
  exportId: string,
  actor: Actor,
  deps: ExportingDeps,
): Promise<z.infer<typeof ExportView>> {
  if (!/^[0-9A-Za-z-]{1,64}$/.test(exportId)) throw exportNotFound(exportId);
  const job = await deps.exporting.files.getJob(exportId);
  if (!job || (job.actor.id !== actor.id && !actor.roles.includes('admin'))) throw exportNotFound(exportId);
  const view = {
    exportId: job.id,
    status: job.status,
    format: job.format,
    rows: job.rows,
    createdAt: job.createdAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(job.error ? { error: job.error } : {}),
  };
  if (job.status !== 'done') return view;
  const url = await deps.exporting.files.downloadUrl(
    exportKey(job),
    job.filename,
    exportContentTypes[job.format],
    linkSeconds,
  );
  return { ...view, downloadUrl: url, expiresAt: new Date(Date.now() + linkSeconds * 1000).toISOString() };
}
