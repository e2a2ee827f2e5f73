import type { Actor } from '../domain/actor.ts';
import type { ImportField } from '../domain/import/import-fields.ts';
import type { ImportFiles, ImportRunner, ImportStore } from '../domain/import-job/import.ports.ts';
import {
  type ImportRecord,
  type ImportRunOptions,
  type ImportStatus,
  mappingNotFound,
} from '../domain/import-job/import-job.ts';
import type { EventPublisher } from '../events/catalogue.ts';
import type { TicketDeps } from './deps.ts';

/*
 * The import record's own use cases, apart from the file reader (and so from exceljs): the upload link
 * and saved mappings need no spreadsheet code in their functions' bundles.
 */

/** What importing needs besides the ticket use cases' ports. */
export interface ImportDeps extends TicketDeps {
  imports: ImportStore;
  importFiles: ImportFiles;
  importRunner: ImportRunner;
  /** Where `import.completed` goes (published once the finish has written the totals). */
  importEvents: EventPublisher;
  /** Rows per chunk; 200 by default. */
  importBatchSize?: number;
}

/** The options a run reads the file with, a saved mapping named by `mappingName` first. */
export async function optionsWith(
  options: ImportRunOptions,
  mappingName: string | undefined,
  deps: Pick<ImportDeps, 'imports'>,
): Promise<ImportRunOptions> {
  if (!mappingName) return options;
  const saved = await deps.imports.getMapping(mappingName);
  if (!saved) throw mappingNotFound(mappingName);
  return { ...options, mapping: { ...saved, ...(options.mapping ?? {}) } };
}

export const formatOf = (contentType: string, fileName: string): 'csv' | 'xlsx' =>
  /spreadsheetml|excel/i.test(contentType) || /\.xlsx$/i.test(fileName) ? 'xlsx' : 'csv';

export function newRecord(
  id: string,
  input: { fileName: string; contentType: string; size: number; fileKey: string; dryRun: boolean },
  options: ImportRunOptions,
  status: ImportStatus,
  actor: Actor,
  now: Date,
): ImportRecord {
  const at = now.toISOString();
  return {
    id,
    fileName: input.fileName,
    format: formatOf(input.contentType, input.fileName),
    contentType: input.contentType,
    size: input.size,
    fileKey: input.fileKey,
    encoding: null,
    headers: [],
    mapping: {},
    options,
    status,
    dryRun: input.dryRun,
    total: 0,
    processed: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    errorCount: 0,
    warningCount: 0,
    errors: [],
    checkpoint: 0,
    phaseStartedAt: null,
    phaseStartRow: 0,
    createdBy: actor.id,
    createdAt: at,
    updatedAt: at,
    doneChunks: [],
  };
}

/**
 * The AWS upload path (`POST /imports/uploads`): an import record waiting for its file and a presigned
 * link to PUT the file to (API Gateway takes at most 10 MB per request). `POST /imports/{id}/check`
 * then starts from the uploaded object.
 */
export async function startUpload(
  input: {
    fileName: string;
    contentType: string;
    dryRun: boolean;
    options: ImportRunOptions;
    mappingName?: string;
  },
  actor: Actor,
  deps: ImportDeps,
): Promise<{ record: ImportRecord; uploadUrl: string; expiresInSeconds: number }> {
  const options = await optionsWith(input.options, input.mappingName, deps);
  const id = deps.ids.next();
  const fileKey = deps.importFiles.keyFor(id, input.fileName);
  const record = newRecord(id, { ...input, size: 0, fileKey }, options, 'uploading', actor, deps.clock.now());
  const expiresInSeconds = 900;
  const uploadUrl = await deps.importFiles.uploadUrl(fileKey, input.contentType, expiresInSeconds);
  await deps.imports.create(record);
  return { record, uploadUrl, expiresInSeconds };
}

/** Saves a mapping under a name (`PUT /imports/mappings/{name}`). */
export async function saveMapping(
  name: string,
  mapping: Record<string, ImportField | null>,
  deps: Pick<ImportDeps, 'imports' | 'clock'>,
) {
  await deps.imports.putMapping(name, mapping, deps.clock.now().toISOString());
  return { name, mapping };
}
