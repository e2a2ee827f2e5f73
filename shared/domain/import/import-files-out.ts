import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { type ImportField, importFields, templateHeaders } from './import-fields.ts';
import type { ImportIssue } from './import-types.ts';

/**
 * CSV as Gongdan writes it for people to open in Excel: UTF-8 with a BOM (Excel reads BOM-less UTF-8 as
 * the local code page) and every cell starting with = + - @ tab or CR prefixed with `'` so that it is never
 * run as a formula (CSV injection; csv-stringify's `escape_formulas`).
 */
const csvLines = (records: (string | number)[][]) =>
  stringify(records, { escape_formulas: true, record_delimiter: '\r\n' });

const bom = '\uFEFF';
const issueHeader = ['row', 'column', 'code', 'severity', 'message', 'suggestion', 'applied'];
const issueRecord = (i: ImportIssue) => [
  i.row,
  i.column,
  i.code,
  i.severity,
  i.message,
  i.suggestion ?? '',
  i.applied ? 'true' : '',
];

/** The issues of a pre-check or commit as CSV, chunk by chunk (BOM and header first). */
export async function* errorsCsvStream(
  issues: AsyncIterable<ImportIssue> | Iterable<ImportIssue>,
): AsyncGenerator<string> {
  yield bom + csvLines([issueHeader]);
  let batch: ImportIssue[] = [];
  for await (const issue of issues) {
    batch.push(issue);
    if (batch.length >= 500) {
      yield csvLines(batch.map(issueRecord));
      batch = [];
    }
  }
  if (batch.length > 0) yield csvLines(batch.map(issueRecord));
}

/**
 * The issues as one CSV text (UTF-8 with BOM, formula cells escaped): synchronous for an array, a promise
 * for an async iterable (prefer `errorsCsvStream` for a large import).
 */
export function errorsCsv(issues: ImportIssue[]): string;
export function errorsCsv(issues: AsyncIterable<ImportIssue>): Promise<string>;
export function errorsCsv(issues: AsyncIterable<ImportIssue> | ImportIssue[]): string | Promise<string>;
export function errorsCsv(issues: AsyncIterable<ImportIssue> | ImportIssue[]): string | Promise<string> {
  if (Array.isArray(issues)) return bom + csvLines([issueHeader, ...issues.map(issueRecord)]);
  return (async () => {
    let text = '';
    for await (const chunk of errorsCsvStream(issues)) text += chunk;
    return text;
  })();
}

const examples: Record<'zh' | 'en', Record<ImportField, string>> = {
  zh: {
    externalId: 'OLD-10001',
    subject: '三楼打印机无法连接网络',
    description: '从周一开始三楼的打印机无法打印，已重启过。',
    priority: 'high',
    status: 'resolved',
    category: '硬件',
    intent: '',
    team: '技术支持',
    assignee: '',
    channel: 'phone',
    customerEmail: 'li.lei@example.com',
    customerName: '李雷',
    customerPhone: '13800138000',
    customerTier: 'vip',
    customerExternalId: 'C-2001',
    createdAt: '2026-01-21 09:05',
    updatedAt: '2026-01-22 10:30',
    resolvedAt: '2026-01-22 10:30',
    closedAt: '',
    tags: '打印机,网络',
    product: '',
    model: '',
    region: '上海市/浦东新区',
  },
  en: {
    externalId: 'OLD-10001',
    subject: 'Third-floor printer cannot reach the network',
    description: 'The printer on the third floor has not printed since Monday; it was restarted.',
    priority: 'high',
    status: 'resolved',
    category: 'Hardware',
    intent: '',
    team: 'Support',
    assignee: '',
    channel: 'phone',
    customerEmail: 'li.lei@example.com',
    customerName: 'Li Lei',
    customerPhone: '13800138000',
    customerTier: 'vip',
    customerExternalId: 'C-2001',
    createdAt: '2026-01-21 09:05',
    updatedAt: '2026-01-22 10:30',
    resolvedAt: '2026-01-22 10:30',
    closedAt: '',
    tags: 'printer,network',
    product: '',
    model: '',
    region: '上海市/浦东新区',
  },
};

/** A workbook date cell for `yyyy-mm-dd hh:mm` text: Excel keeps wall-clock time, exceljs writes it from UTC. */
const wallClockDate = (text: string) => {
  const [date = '', time = '00:00'] = text.split(' ');
  return new Date(`${date}T${time}:00.000Z`);
};

const dateFields = new Set<ImportField>(['createdAt', 'updatedAt', 'resolvedAt', 'closedAt']);

/** The import template: the header row in `locale` and one example row (UTF-8 with BOM for CSV). */
export async function importTemplate(format: 'csv' | 'xlsx', locale: 'zh' | 'en'): Promise<Uint8Array> {
  const headers = importFields.map((f) => templateHeaders[locale][f]);
  const example = examples[locale];
  if (format === 'csv') {
    return new TextEncoder().encode(bom + csvLines([headers, importFields.map((f) => example[f])]));
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(locale === 'zh' ? '工单' : 'Tickets');
  sheet.columns = importFields.map((f, i) => ({
    header: headers[i],
    key: f,
    width: f === 'subject' || f === 'description' ? 40 : 18,
    ...(dateFields.has(f) ? { style: { numFmt: 'yyyy-mm-dd hh:mm' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRow(
    Object.fromEntries(
      importFields.map((f) => [
        f,
        dateFields.has(f) && example[f] ? wallClockDate(example[f]) : example[f] || null,
      ]),
    ),
  );
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  const buffer = await workbook.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}
