import type { Actor } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import { DomainError } from '../domain/errors.ts';
import {
  type CheckedRow,
  type ImportIssue,
  type ImportTicketValues,
  type OpenedImport,
  openImport,
} from '../domain/import/check-import.ts';
import {
  defaultBatchSize,
  type ImportRecord,
  type ImportRunOptions,
  type ImportStatus,
  importAlreadyCommitted,
  importBusy,
  importMaxBytes,
  importNotFound,
  importNotUploaded,
  inlineIssueLimit,
} from '../domain/import-job/import-job.ts';
import { activeStatuses } from '../domain/ticket/lifecycle.ts';
import { formatTicketNumber, type Ticket } from '../domain/ticket/ticket.entity.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { ticketCreatedEvent, writeNewTicket, writeNewTickets } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { type ImportDeps, newRecord, optionsWith } from './import-records.ts';
import { productPrefixes, withDerivedProductRegion } from './product-region.ts';
import { releaseUnused, routeOnIntake } from './ticket-routing.ts';

export type { ImportDeps } from './import-records.ts';

/** One chunk of checked rows to commit: the unit of the local runner and of the Distributed Map. */
export interface ImportChunk {
  importId: string;
  /** 0-based: data rows `index * batchSize` … of the file. */
  index: number;
  /** How many data rows of the file the chunk spans (with the rows that had errors). */
  rowCount: number;
  /** The data row number of the chunk's last row. */
  lastRow: number;
  /** The rows without errors, to write. */
  rows: { row: number; values: ImportTicketValues }[];
}

/** The system actor an import writes as: its id names the import (history shows where a ticket came from). */
export const importActor = (importId: string): Actor => ({
  id: `import:${importId}`,
  name: 'Import',
  roles: ['integration'],
  channel: 'import',
});

const source = (bytes: Uint8Array) => () =>
  (async function* () {
    yield bytes;
  })();

const issuesKey = (record: Pick<ImportRecord, 'fileKey'>) => `${record.fileKey}.issues.jsonl`;
const busyStatuses: readonly ImportStatus[] = ['checking', 'committing'];

/** Opens the file as the contract's reader does, with the run's options: file errors throw (4xx). */
const open = async (
  read: () => AsyncIterable<Uint8Array>,
  record: Pick<ImportRecord, 'contentType' | 'options'>,
  deps: ImportDeps,
) =>
  openImport(read, {
    ...record.options,
    // The reader tells XLSX (a zip) from CSV by the bytes; an explicit XLSX type is taken at its word.
    ...(record.contentType === xlsxContentType ? { format: 'xlsx' as const } : {}),
    maxBytes: importMaxBytes,
    // A model's product line, when the file gives no product, by the configured table.
    modelPrefixes: await productPrefixes(deps),
  });

const xlsxContentType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const tooLarge = (size: number) =>
  new DomainError(
    'too_large',
    'IMPORT.TOO_LARGE',
    `The file is ${size} bytes; an import takes at most ${importMaxBytes} bytes (50 MiB)`,
    { limitBytes: importMaxBytes, actualBytes: size },
  );

/**
 * Takes an uploaded file (`POST /imports`).
 *
 * 1. Refuse a file over 50 MiB, and open it: an empty, binary or headerless file, or a mapping naming
 *    an unknown field, is a 4xx here, before anything is stored.
 * 2. Store the bytes and the import record (`checking`).
 * 3. Start the background run: the check, and with `dryRun: false` the commit after it.
 */
export async function startImport(
  input: {
    bytes: Uint8Array;
    fileName: string;
    contentType: string;
    dryRun: boolean;
    options: ImportRunOptions;
    mappingName?: string;
  },
  actor: Actor,
  deps: ImportDeps,
): Promise<ImportRecord> {
  if (input.bytes.length > importMaxBytes) throw tooLarge(input.bytes.length);
  const options = await optionsWith(input.options, input.mappingName, deps);
  const id = deps.ids.next();
  const fileKey = deps.importFiles.keyFor(id, input.fileName);
  const record = newRecord(
    id,
    { ...input, size: input.bytes.length, fileKey },
    options,
    'checking',
    actor,
    deps.clock.now(),
  );
  const opened = await open(source(input.bytes), record, deps);
  record.encoding = opened.encoding;
  record.headers = opened.headers;
  record.mapping = opened.mapping;
  record.format = opened.format;
  await deps.importFiles.put(fileKey, input.bytes, input.contentType);
  await deps.imports.create(record);
  await deps.importRunner.start(id, 'check');
  deps.logger.info('import.started', { importId: id, size: record.size, dryRun: record.dryRun });
  return record;
}

/** `POST /imports/{id}/check` and `/commit`: check again with new options, or commit. */
export async function rerunImport(
  id: string,
  phase: 'check' | 'commit',
  input: { options: Partial<ImportRunOptions> },
  deps: ImportDeps,
): Promise<ImportRecord> {
  const record = await deps.imports.get(id);
  if (!record) throw importNotFound(id);
  if (busyStatuses.includes(record.status)) throw importBusy(id, record.status);
  if (record.status === 'completed' && !record.dryRun) throw importAlreadyCommitted(id);
  const options: ImportRunOptions = { ...record.options, ...input.options };
  const next: Partial<ImportRecord> = { options, status: phase === 'check' ? 'checking' : 'committing' };
  // A fresh run starts from row 0 (as prepareImport will say): until it does, the previous phase's count
  // would show as this one's progress (a commit right after a check read 100 %).
  if (record.doneChunks.length === 0) next.processed = 0;
  if (record.status === 'uploading') {
    const size = await deps.importFiles.size(record.fileKey);
    if (size === null) throw importNotUploaded(id);
    if (size > importMaxBytes) throw tooLarge(size);
    next.size = size;
  }
  // File errors (an unknown mapping field, an empty or binary upload) are the caller's 4xx, now.
  const opened = await open(() => deps.importFiles.read(record.fileKey), { ...record, options }, deps);
  Object.assign(next, { encoding: opened.encoding, headers: opened.headers, mapping: opened.mapping });
  // A check on its own is a dry run; an upload's first check keeps what the upload asked for.
  if (phase === 'commit') next.dryRun = false;
  else if (record.status !== 'uploading') next.dryRun = true;
  const moved = await deps.imports.update(id, next, {
    statusIn: ['uploading', 'checked', 'completed', 'failed'],
  });
  if (!moved) {
    const now = await deps.imports.get(id);
    throw importBusy(id, now?.status ?? record.status);
  }
  await deps.importRunner.start(id, phase);
  return { ...record, ...next };
}

/**
 * Reads the stored file through (the prepare step): every row is checked, every issue written to the
 * issues file (what `errors.csv` is), the first 500 kept on the record. For a commit, the rows are cut
 * into chunks of `batchSize` data rows and handed to `emit` in file order, except chunks the commit
 * has already done (a resumed run passes over them).
 *
 * 1. Open the file with the import's options; note encoding, headers and the effective mapping.
 * 2. Go through the rows; count them, their errors and warnings; write the issues as they come.
 * 3. Check: write progress every batch. Commit: hand each finished chunk to `emit`.
 * 4. Write the totals (a check ends `checked`; a commit's finish is `finishImport`).
 */
export async function prepareImport(
  id: string,
  phase: 'check' | 'commit',
  deps: ImportDeps,
  emit: (chunk: ImportChunk) => Promise<void> = async () => {},
): Promise<{ total: number; chunks: number }> {
  const record = await deps.imports.get(id);
  if (!record) throw importNotFound(id);
  const batchSize = deps.importBatchSize ?? defaultBatchSize;
  const startedAt = deps.clock.now().toISOString();
  const resuming = phase === 'commit' && record.status === 'committing' && record.doneChunks.length > 0;
  const done = new Set(resuming ? record.doneChunks : []);
  const opened: OpenedImport = await open(() => deps.importFiles.read(record.fileKey), record, deps);
  const start: Partial<ImportRecord> = {
    status: phase === 'check' ? 'checking' : 'committing',
    encoding: opened.encoding,
    headers: opened.headers,
    mapping: opened.mapping,
    phaseStartedAt: startedAt,
    updatedAt: startedAt,
    ...(resuming
      ? { phaseStartRow: record.processed }
      : {
          phaseStartRow: 0,
          processed: 0,
          created: 0,
          updated: 0,
          skipped: 0,
          checkpoint: 0,
          doneChunks: [],
          ...(phase === 'commit' ? {} : { total: 0 }),
        }),
  };
  await deps.imports.update(id, start);

  const issuesOut = deps.importFiles.writer(issuesKey(record));
  const inline: ImportIssue[] = [];
  let total = 0;
  let errorCount = 0;
  let warningCount = 0;
  let chunks = 0;
  let chunk: ImportChunk = { importId: id, index: 0, rowCount: 0, lastRow: 0, rows: [] };
  const flush = async () => {
    if (chunk.rowCount === 0) return;
    if (phase === 'commit' && !done.has(chunk.index)) {
      chunks += 1;
      await emit(chunk);
    }
    if (phase === 'check') {
      const at = deps.clock.now().toISOString();
      await deps.imports.update(id, {
        processed: total,
        total: Math.max(total, record.total),
        updatedAt: at,
      });
    }
    chunk = { importId: id, index: chunk.index + 1, rowCount: 0, lastRow: 0, rows: [] };
  };
  try {
    for await (const checked of opened.rows) {
      total += 1;
      const issues = [...checked.issues, ...commitIssues(checked)];
      if (issues.length) {
        await issuesOut.write(`${issues.map((i) => JSON.stringify(i)).join('\n')}\n`);
        for (const issue of issues) {
          if (issue.severity === 'error') errorCount += 1;
          else warningCount += 1;
          if (inline.length < inlineIssueLimit) inline.push(issue);
        }
      }
      chunk.rowCount += 1;
      chunk.lastRow = checked.row;
      if (checked.values && !issues.some((i) => i.severity === 'error')) {
        chunk.rows.push({ row: checked.row, values: checked.values });
      }
      if (chunk.rowCount >= batchSize) await flush();
    }
    await flush();
  } finally {
    await issuesOut.close();
  }
  const at = deps.clock.now().toISOString();
  await deps.imports.update(id, {
    total,
    errorCount,
    warningCount,
    errors: inline,
    updatedAt: at,
    ...(phase === 'check' ? { processed: total } : {}),
  });
  deps.logger.info('import.prepared', { importId: id, phase, total, errors: errorCount, chunks });
  return { total, chunks };
}

/**
 * What the write path would refuse although the file is well-formed: a customer with neither an
 * e-mail address nor a phone number (every ticket's customer has one, docs/data-model.md).
 */
function commitIssues(row: CheckedRow): ImportIssue[] {
  const c = row.values?.customer;
  if (!c || c.email || c.phone) return [];
  return [
    {
      row: row.row,
      column: 'customerEmail',
      code: 'REQUIRED',
      message: 'An e-mail address or a phone number of the customer is required',
      severity: 'error',
    },
  ];
}

/**
 * Commits one chunk (the local runner's batch; a Distributed Map item in AWS): each row becomes a
 * ticket through the one write path, unless a ticket already holds its legacy number (a skip), then
 * the chunk's counts are added to the import once.
 *
 * 1. Write the rows' tickets, a few at a time (each its own transaction: ticket, number, `imported`
 *    history, outbox record and the legacy number's key, conditional on that key being free).
 * 2. A row whose legacy number is taken is skipped; taken by this very import (a chunk replayed after
 *    a crash), it counts as created, as it was.
 * 3. Add the counts and mark the chunk done, on condition it was not (replays add nothing).
 */
export async function commitImportChunk(chunk: ImportChunk, deps: ImportDeps): Promise<void> {
  const actor = importActor(chunk.importId);
  const historical = chunk.rows.filter((r) => !activeStatuses.includes(r.values.status));
  const open = chunk.rows.filter((r) => activeStatuses.includes(r.values.status));
  let created = await writeHistoricalTickets(
    historical.map((r) => r.values),
    chunk.importId,
    actor,
    deps,
  );
  let failed = false;
  const work = async () => {
    // After a failure no new row starts: the chunk is not marked done and runs again on resume.
    for (let next = open.shift(); next && !failed; next = open.shift()) {
      try {
        if (await writeImportedTicket(next.values, chunk.importId, actor, deps)) created += 1;
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, open.length) }, work));
  const added = await deps.imports.addChunk(chunk.importId, {
    index: chunk.index,
    lastRow: chunk.lastRow,
    processed: chunk.rowCount,
    created,
    skipped: chunk.rowCount - created,
    at: deps.clock.now().toISOString(),
  });
  if (!added) deps.logger.info('import.chunk_replayed', { importId: chunk.importId, chunk: chunk.index });
}

/** The `imported` history entry: at the original creation time, with the status the ticket had reached. */
const importedAudit = (ticket: Ticket, importId: string, actor: Actor, id: string): AuditEvent =>
  auditEvent(id, ticket.id, 'imported', actor, new Date(ticket.createdAt), 1, {
    importId,
    externalRef: ticket.externalRef,
    number: ticket.number,
    status: ticket.status,
    priority: ticket.priority,
    ...(ticket.resolvedAt ? { resolvedAt: ticket.resolvedAt } : {}),
    ...(ticket.closedAt ? { closedAt: ticket.closedAt } : {}),
  });

/**
 * Writes historical rows (resolved, closed) as tickets in one go: their numbers reserved in one call,
 * the tickets written several to a transaction (`writeNewTickets`). They carry nothing to follow — no
 * events, no mail, and no timer (their SLA is computed from the `imported` history: no clock ran). The
 * count this import created (now, or before a crash: a legacy number taken by this same import).
 */
export async function writeHistoricalTickets(
  rows: readonly ImportTicketValues[],
  importId: string,
  actor: Actor,
  deps: TicketDeps,
): Promise<number> {
  if (!rows.length) return 0;
  const first = await deps.tickets.reserveNumbers(rows.length);
  const prefixes = await productPrefixes(deps);
  const changes = rows.map((values, i) => {
    const ticket = withDerivedProductRegion(
      importedTicket(values, { id: deps.ids.next(), number: first + i }, actor),
      prefixes,
    );
    return { ticket, audit: [importedAudit(ticket, importId, actor, deps.ids.next())], events: [], mail: [] };
  });
  const written = await writeNewTickets(changes, actor, deps, deps.clock.now());
  return written.filter(({ outcome }) => outcome.kind === 'created' || outcome.createdBy === actor.id).length;
}

/**
 * Writes one imported row as a ticket; true when this import created it (now, or before a crash).
 * An open ticket is routed unless the file names a team or an assignee, and timed from its original
 * creation; it publishes `ticket.created` (its channel, `import`, asks for no acknowledgement).
 */
export async function writeImportedTicket(
  values: ImportTicketValues,
  importId: string,
  actor: Actor,
  deps: TicketDeps,
): Promise<boolean> {
  const now = deps.clock.now();
  const number = await deps.tickets.nextNumber();
  const ticket = withDerivedProductRegion(
    importedTicket(values, { id: deps.ids.next(), number }, actor),
    await productPrefixes(deps),
  );
  const historical = !activeStatuses.includes(ticket.status);
  const audit: AuditEvent[] = [importedAudit(ticket, importId, actor, deps.ids.next())];
  const events: IntegrationEvent[] = [];
  let claimed: string | null = null;
  if (!historical) {
    if (!ticket.team && !ticket.assignee) {
      const routed = await routeOnIntake(ticket, deps, now);
      Object.assign(ticket, routed.ticket);
      audit.push(...routed.audit);
      events.push(...routed.events);
      claimed = routed.claimed;
    }
    events.unshift(ticketCreatedEvent(deps.ids.next(), ticket));
  }
  const { outcome } = await writeNewTicket({ ticket, audit, events, mail: [] }, actor, deps, now).catch(
    async (error: unknown) => {
      await releaseUnused(claimed, ticket.id, deps);
      throw error;
    },
  );
  if (outcome.kind === 'duplicate') {
    await releaseUnused(claimed, ticket.id, deps);
    return outcome.createdBy === actor.id;
  }
  return true;
}

/** The ticket a row describes, at version 1, with its original times and status. */
export function importedTicket(
  values: ImportTicketValues,
  ids: { id: string; number: number },
  actor: Actor,
): Ticket {
  const resolvedAt =
    values.resolvedAt ??
    (values.status === 'resolved' || values.status === 'closed'
      ? (values.closedAt ?? values.updatedAt ?? values.createdAt)
      : null);
  const closedAt = values.closedAt ?? (values.status === 'closed' ? (values.updatedAt ?? resolvedAt) : null);
  const updatedAt = values.updatedAt ?? closedAt ?? resolvedAt ?? values.createdAt;
  const { customer } = values;
  return {
    id: ids.id,
    number: formatTicketNumber(ids.number),
    subject: values.subject,
    description: values.description ?? '',
    status: values.status,
    priority: values.priority,
    category: values.category ?? null,
    intent: values.intent ?? null,
    channel: 'import',
    customer: {
      tier: customer.tier,
      ...(customer.email ? { email: customer.email } : {}),
      ...(customer.name ? { name: customer.name } : {}),
      ...(customer.phone ? { phone: customer.phone } : {}),
      ...(customer.externalId ? { externalId: customer.externalId } : {}),
    },
    team: values.team ?? null,
    assignee: values.assignee ?? null,
    sla: { policy: null, firstResponseDueAt: null, resolutionDueAt: null, breached: [], paused: false },
    routing: null,
    parentId: null,
    children: [],
    tags: values.tags ?? [],
    externalRef: values.externalId,
    // The channel the other system had it from, kept (the ticket's own channel is `import`).
    customFields: values.channel && values.channel !== 'import' ? { sourceChannel: values.channel } : {},
    location: null,
    product: values.product
      ? { line: values.product, ...(values.model ? { model: values.model } : {}) }
      : null,
    region: values.region ?? null,
    firstRespondedAt: null,
    resolvedAt:
      values.status === 'new' || values.status === 'open' || values.status === 'pending' ? null : resolvedAt,
    closedAt: values.status === 'closed' ? closedAt : null,
    createdBy: actor.id,
    createdAt: values.createdAt,
    updatedAt,
    version: 1,
  };
}

/**
 * Ends a run (the finish step): a check is `checked`; a commit is `completed` with its totals, and
 * `import.completed` is published (the same event id on a retried finish).
 */
export async function finishImport(id: string, phase: 'check' | 'commit', deps: ImportDeps): Promise<void> {
  const record = await deps.imports.get(id);
  if (!record) throw importNotFound(id);
  const at = deps.clock.now().toISOString();
  if (phase === 'check') {
    await deps.imports.update(id, { status: 'checked', processed: record.total, updatedAt: at });
    return;
  }
  await deps.imports.update(id, { status: 'completed', processed: record.total, updatedAt: at });
  await deps.importEvents.publish([
    makeEvent(`import-completed-${id}`, 'import.completed', {
      importId: id,
      fileName: record.fileName,
      total: record.total,
      created: record.created,
      updated: record.updated,
      skipped: record.skipped,
      errorCount: record.errorCount,
      occurredAt: at,
    }),
  ]);
  deps.logger.info('import.completed', { importId: id, created: record.created, skipped: record.skipped });
}

/** A run that failed: the record says why (the console shows it); the error itself is logged. */
export async function failImport(
  id: string,
  error: unknown,
  deps: Pick<ImportDeps, 'imports' | 'clock' | 'logger'>,
) {
  const failure =
    error instanceof DomainError
      ? { code: error.code, message: error.message }
      : {
          code: 'IMPORT.FAILED',
          message: 'The import stopped on an unexpected error; run it again to resume',
        };
  deps.logger.error('import.failed', {
    importId: id,
    error: error instanceof Error ? error.message : String(error),
  });
  await deps.imports.update(id, { status: 'failed', failure, updatedAt: deps.clock.now().toISOString() });
}

/**
 * The whole run in one process (the local runtime): the check, then for a commit the chunks one
 * after another, so the checkpoint is the last committed row, then the finish. A commit started on a
 * fresh upload checks first (so its total, and the ETA, are known).
 */
export async function runImport(
  id: string,
  phase: 'check' | 'commit',
  deps: ImportDeps,
  /** Aborted when the process is stopping: the run ends between chunks and is resumed at the next start. */
  signal?: AbortSignal,
): Promise<void> {
  try {
    const record = await deps.imports.get(id);
    if (!record) throw importNotFound(id);
    const wantsCommit = phase === 'commit' || !record.dryRun;
    if (phase === 'check') {
      await prepareImport(id, 'check', deps);
      if (!wantsCommit) return await finishImport(id, 'check', deps);
      const checked = await deps.imports.update(
        id,
        { status: 'committing', processed: 0, phaseStartedAt: null },
        { statusIn: ['checking'] },
      );
      if (!checked) return;
    }
    await prepareImport(id, 'commit', deps, async (chunk) => {
      signal?.throwIfAborted();
      await commitImportChunk(chunk, deps);
    });
    await finishImport(id, 'commit', deps);
  } catch (error) {
    if (signal?.aborted) {
      deps.logger.info('import.paused', { importId: id });
      return;
    }
    await failImport(id, error, deps);
  }
}

/** Every issue of the latest run, as stored beside the file (`GET /imports/{id}/errors.csv`). */
export async function* importIssues(record: ImportRecord, deps: Pick<ImportDeps, 'importFiles'>) {
  let rest = '';
  const decoder = new TextDecoder();
  try {
    for await (const bytes of deps.importFiles.read(issuesKey(record))) {
      rest += decoder.decode(bytes, { stream: true });
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) yield JSON.parse(line) as ImportIssue;
    }
  } catch (error) {
    // No issues file: the run found none, or has not started.
    if (
      (error as { code?: string; name?: string }).code === 'ENOENT' ||
      (error as { name?: string }).name === 'NoSuchKey'
    )
      return;
    throw error;
  }
  if (rest) yield JSON.parse(rest) as ImportIssue;
}

/** What the prepare step hands the state machine: the manifest the Distributed Map reads. */
export interface PreparedRun {
  importId: string;
  phase: 'check' | 'commit';
  /** A JSON array of `{ importId, chunkKey }`, one per chunk (the map's ItemReader). */
  manifestKey: string;
  chunks: number;
}

/**
 * The state machine's first step (infra/constructs/imports.ts): the check, and for a commit the
 * prepare pass that writes each chunk of rows beside the file and the manifest listing them.
 */
export async function prepareRun(
  id: string,
  phase: 'check' | 'commit',
  deps: ImportDeps,
): Promise<PreparedRun> {
  const record = await deps.imports.get(id);
  if (!record) throw importNotFound(id);
  const manifestKey = `${record.fileKey}.manifest.json`;
  const wantsCommit = phase === 'commit' || !record.dryRun;
  if (phase === 'check') await prepareImport(id, 'check', deps);
  const entries: { importId: string; chunkKey: string }[] = [];
  if (wantsCommit) {
    await deps.imports.update(id, { status: 'committing', processed: 0, phaseStartedAt: null });
    await prepareImport(id, 'commit', deps, async (chunk) => {
      const chunkKey = `${record.fileKey}.chunk-${chunk.index}.json`;
      await deps.importFiles.put(chunkKey, Buffer.from(JSON.stringify(chunk)), 'application/json');
      entries.push({ importId: id, chunkKey });
    });
  }
  await deps.importFiles.put(manifestKey, Buffer.from(JSON.stringify(entries)), 'application/json');
  return { importId: id, phase: wantsCommit ? 'commit' : 'check', manifestKey, chunks: entries.length };
}

/** A Distributed Map item: reads its chunk from beside the file and commits it. */
export async function commitStoredChunk(item: { importId: string; chunkKey: string }, deps: ImportDeps) {
  let text = '';
  const decoder = new TextDecoder();
  for await (const bytes of deps.importFiles.read(item.chunkKey))
    text += decoder.decode(bytes, { stream: true });
  const chunk = JSON.parse(text + decoder.decode()) as ImportChunk;
  if (chunk.importId !== item.importId)
    throw new Error(`Chunk ${item.chunkKey} is not of import ${item.importId}`);
  await commitImportChunk(chunk, deps);
  return { importId: item.importId, chunk: chunk.index };
}
