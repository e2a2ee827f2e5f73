import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { reportFileName } from '../domain/analytics/report-query.ts';
import { escapeCell } from './export-tickets.ts';

/**
 * A report as a file (contract §4, docs/analytics.md): CSV in UTF-8 with a BOM (so Excel in China opens
 * it as UTF-8) and CRLF lines, through csv-stringify; XLSX through exceljs (numbers as numbers, text as
 * text cells, never formulas). Reports are small (a line per group or cell), so the file is built whole.
 */
export type ReportFileFormat = 'csv' | 'xlsx';

export const reportContentTypes: Record<ReportFileFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface ReportTable {
  columns: string[];
  rows: Array<Array<string | number | null>>;
}

/** Text that a spreadsheet would read as a formula gets a leading quote, as in the ticket export. */
const textCell = (v: string | number | null) => (typeof v === 'string' ? escapeCell(v) : v);

export function reportFile(table: ReportTable, format: ReportFileFormat, sheet = 'Report'): Readable {
  if (format === 'csv') {
    const csv = stringify({ bom: true, header: true, columns: table.columns, record_delimiter: 'windows' });
    pipeline(Readable.from(table.rows.map((r) => r.map((v) => (v === null ? '' : textCell(v))))), csv).catch(
      () => undefined,
    );
    return csv;
  }
  const out = new PassThrough();
  (async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useSharedStrings: false,
      useStyles: false,
    });
    const ws = workbook.addWorksheet(sheet);
    ws.addRow(table.columns).commit();
    for (const row of table.rows) {
      ws.addRow(row.map(textCell)).commit();
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    ws.commit();
    await workbook.commit();
  })().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

/** A report's answer as a download, `<report>-<from>-<to>.<ext>`, never cached. */
export function reportDownload(
  report: string,
  period: { from: string; to: string },
  format: ReportFileFormat,
  table: ReportTable,
  sheet?: string,
) {
  return {
    status: 200,
    headers: {
      'content-type': reportContentTypes[format],
      'content-disposition': `attachment; filename="${reportFileName(report, period, format)}"`,
      'cache-control': 'no-store',
    },
    stream: reportFile(table, format, sheet),
  };
}
