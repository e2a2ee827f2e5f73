import { once } from 'node:events';
import { PassThrough, pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import * as z from 'zod';
import type { Actor } from '../domain/actor.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { TicketDeps } from './deps.ts';
import { ListQuery, listTickets } from './read-tickets.ts';

/**
 * Export of a filtered ticket list (docs/export.md): the list's filters, `q` and visibility rules
 * (`listTickets` pages through the tickets, so an export shows exactly what the list would), written as
 * CSV (UTF-8 with a BOM, so Excel reads Chinese) or XLSX, row by row as the pages arrive: nothing holds
 * the whole list. Cells a spreadsheet would run as a formula are escaped (CSV injection).
 */
export const ExportFormat = z.enum(['csv', 'xlsx']);
export type ExportFormat = z.infer<typeof ExportFormat>;
export const ExportLocale = z.enum(['zh', 'en']);
export type ExportLocale = z.infer<typeof ExportLocale>;

export const ExportQuery = ListQuery.omit({ view: true, limit: true, cursor: true, sort: true }).extend({
  format: ExportFormat,
  /** The language of the header row and of yes/no. */
  locale: ExportLocale.default('zh'),
});
export type ExportQuery = z.infer<typeof ExportQuery>;

export const exportContentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** How many tickets each page of the underlying list holds (larger than the API's pages: fewer round trips). */
const pageSize = 500;

type Column = { zh: string; en: string; value: (t: Ticket, locale: ExportLocale) => string };

const yesNo = (v: boolean, locale: ExportLocale) => (locale === 'zh' ? (v ? '是' : '否') : v ? 'yes' : 'no');

/** The columns, in order, with their headers (the import's header names, so a file can go back in). */
export const exportColumns: readonly Column[] = [
  { zh: '工单号', en: 'Number', value: (t) => t.number },
  { zh: '原系统编号', en: 'Legacy number', value: (t) => t.externalRef ?? '' },
  { zh: '主题', en: 'Subject', value: (t) => t.subject },
  { zh: '状态', en: 'Status', value: (t) => t.status },
  { zh: '优先级', en: 'Priority', value: (t) => t.priority },
  { zh: '分类', en: 'Category', value: (t) => t.category ?? '' },
  { zh: '意图', en: 'Intent', value: (t) => t.intent ?? '' },
  { zh: '团队', en: 'Team', value: (t) => t.team ?? '' },
  { zh: '处理人', en: 'Assignee', value: (t) => t.assignee ?? '' },
  { zh: '客户姓名', en: 'Customer name', value: (t) => t.customer.name ?? '' },
  { zh: '客户邮箱', en: 'Customer email', value: (t) => t.customer.email ?? '' },
  { zh: '客户电话', en: 'Customer phone', value: (t) => t.customer.phone ?? '' },
  { zh: '客户等级', en: 'Tier', value: (t) => t.customer.tier },
  { zh: '渠道', en: 'Channel', value: (t) => t.channel },
  { zh: '创建时间', en: 'Created at', value: (t) => t.createdAt },
  { zh: '更新时间', en: 'Updated at', value: (t) => t.updatedAt },
  { zh: '首次响应时间', en: 'First response at', value: (t) => t.firstRespondedAt ?? '' },
  { zh: '解决时间', en: 'Resolved at', value: (t) => t.resolvedAt ?? '' },
  { zh: 'SLA 已违约', en: 'SLA breached', value: (t, l) => yesNo(t.sla.breached.length > 0, l) },
];

export const exportHeaders = (locale: ExportLocale) => exportColumns.map((c) => c[locale]);

/**
 * A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return first:
 * OWASP's CSV injection list) gets a leading `'`, which makes it text. Applied to every cell, CSV and XLSX.
 */
export const escapeCell = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

export const exportRow = (t: Ticket, locale: ExportLocale) =>
  exportColumns.map((c) => escapeCell(c.value(t, locale)));

/** The tickets the list would show for this query and actor, page by page (whole tickets). */
export async function* exportTickets(
  query: ExportQuery,
  actor: Actor,
  deps: TicketDeps,
): AsyncGenerator<Ticket> {
  const { format: _format, locale: _locale, ...filters } = query;
  let cursor: string | undefined;
  do {
    const page = await listTickets(
      // Newest first: the due order is a bounded read for queues, not for a whole list.
      { ...filters, sort: 'created', view: 'full', limit: pageSize, ...(cursor ? { cursor } : {}) },
      actor,
      deps,
    );
    for (const t of page.items as Ticket[]) yield t;
    cursor = 'cursor' in page ? page.cursor : undefined;
  } while (cursor);
}

/** Counts what passes through, for the export's row count. */
export interface RowCounter {
  rows: number;
}

async function* rowsOf(tickets: AsyncIterable<Ticket>, locale: ExportLocale, counter?: RowCounter) {
  for await (const t of tickets) {
    if (counter) counter.rows++;
    yield exportRow(t, locale);
  }
}

/** The export file as a stream: CSV (with BOM, CRLF) or XLSX, produced as it is read. */
export function exportFile(
  tickets: AsyncIterable<Ticket>,
  format: ExportFormat,
  locale: ExportLocale,
  counter?: RowCounter,
): Readable {
  const rows = rowsOf(tickets, locale, counter);
  return format === 'csv' ? csvFile(rows, locale) : xlsxFile(rows, locale);
}

function csvFile(rows: AsyncIterable<string[]>, locale: ExportLocale): Readable {
  const csv = stringify({
    bom: true,
    header: true,
    columns: exportHeaders(locale),
    record_delimiter: 'windows',
  });
  // pipeline destroys the output when the source fails, so a reader never takes half a file for a whole one.
  pipeline(Readable.from(rows), csv, () => undefined);
  return csv;
}

function xlsxFile(rows: AsyncIterable<string[]>, locale: ExportLocale): Readable {
  const out = new PassThrough();
  (async () => {
    // No shared strings and no styles: the writer keeps nothing per row, so memory stays flat.
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useSharedStrings: false,
      useStyles: false,
    });
    const sheet = workbook.addWorksheet(locale === 'zh' ? '工单' : 'Tickets');
    sheet.addRow(exportHeaders(locale)).commit();
    for await (const row of rows) {
      // The reader went away (a closed connection): stop reading the list (leaving the loop ends it).
      if (out.destroyed) return;
      // Plain strings: exceljs writes them as text cells, never as formulas.
      sheet.addRow(row).commit();
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    sheet.commit();
    await workbook.commit();
  })().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

/** A file name for the export: `tickets-20260121-0905.csv`. */
export const exportFilename = (format: ExportFormat, now: Date) =>
  `tickets-${now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}.${format}`;
