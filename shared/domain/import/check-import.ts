import { DateTime } from 'luxon';
import * as z from 'zod';
import type { Channel } from '../actor.ts';
import { validationError } from '../errors.ts';
import type { Priority, Status } from '../ticket/lifecycle.ts';
import { type ModelPrefix, modelPrefixes, normaliseRegion, productOf } from '../ticket/product-region.ts';
import type { Tier } from '../ticket/ticket.entity.ts';
import { readCsvRecords, sniffDelimiter } from './csv-records.ts';
import { readDate } from './import-dates.ts';
import { ImportFileError } from './import-errors.ts';
import {
  dateImportFields,
  type EnumField,
  enumFields,
  fieldForHeader,
  type ImportField,
  importFields,
  isImportField,
  normaliseHeader,
  requiredImportFields,
  templateHeaders,
} from './import-fields.ts';
import type {
  CheckedRow,
  ImportIssue,
  ImportIssueCode,
  ImportOptions,
  ImportTicketValues,
  OpenedImport,
} from './import-types.ts';
import { isPhone, looksLikeFormula, readEnum } from './import-values.ts';
import { decodeSample, decodeText, detectEncoding, isZip, probe } from './text-encoding.ts';
import { readXlsxRows, type SheetCell, type SheetRow } from './xlsx-records.ts';

export { errorsCsv, errorsCsvStream, importTemplate } from './import-files-out.ts';
export type {
  CheckedRow,
  ImportIssue,
  ImportIssueCode,
  ImportOptions,
  ImportTicketValues,
  OpenedImport,
} from './import-types.ts';

export const defaultMaxBytes = 50 * 1024 * 1024;
export const defaultTimeZone = 'Asia/Shanghai';

/** Limits of the Ticket entity (shared/domain/ticket/ticket.entity.ts), checked before anything is written. */
const maxLengths: Partial<Record<ImportField, number>> = {
  externalId: 120,
  subject: 200,
  description: 20_000,
  category: 80,
  intent: 80,
  team: 80,
  assignee: 200,
  customerEmail: 254,
  customerName: 120,
  customerPhone: 40,
  customerExternalId: 120,
  product: 40,
  model: 60,
  // An address is read down to its region (北京市/朝阳区); the stored region is at most 60 long.
  region: 300,
};
const maxRegionLength = 60;
const maxTags = 20;
const maxTagLength = 50;

const email = z.email();

interface Header {
  headers: string[];
  /** Per column, the texts tried against the synonyms, best first (a two-row header: joined, lower, upper). */
  candidates: string[][];
  /** The first row number after the header. */
  dataStart: number;
}

const cellText = (cell: SheetCell | undefined): string => {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString();
  return String(cell).trim();
};

const isBlank = (cells: SheetCell[]) => cells.every((c) => cellText(c) === '');

const joinHeader = (top: string, sub: string) => {
  if (!top) return sub;
  if (!sub || sub === top) return top;
  return /[A-Za-z0-9]$/.test(top) && /^[A-Za-z0-9]/.test(sub) ? `${top} ${sub}` : `${top}${sub}`;
};

/**
 * The header row(s). In an XLSX sheet a header of two rows (group titles merged across columns above
 * sub-titles, single titles merged down both rows) is recognised when the first row has an empty cell
 * (covered by a merge) above a text in the second row and the second row holds text only: each column's
 * header is then the group title carried right over its merge, joined with the sub-title (客户 / 邮箱 →
 * 客户邮箱, Customer / Email → Customer Email).
 */
async function readHeader(rows: () => AsyncGenerator<SheetRow>, format: 'csv' | 'xlsx'): Promise<Header> {
  let first: SheetRow | undefined;
  let second: SheetRow | undefined;
  let hasData = false;
  for await (const row of rows()) {
    if (!first) {
      if (!isBlank(row.cells)) first = row;
      continue;
    }
    if (format === 'xlsx' && !second && row.row === first.row + 1) {
      second = row;
      if (isBlank(row.cells)) second = undefined;
      else if (!isSubHeader(first.cells, row.cells)) {
        second = undefined;
        hasData = true;
        break;
      }
      continue;
    }
    if (!isBlank(row.cells)) {
      hasData = true;
      break;
    }
  }
  if (!first) throw new ImportFileError('IMPORT.EMPTY_FILE', 'The file is empty');
  if (!hasData) throw new ImportFileError('IMPORT.EMPTY_FILE', 'The file has a header but no rows');
  const top = first.cells.map(cellText);
  const sub = second?.cells.map(cellText) ?? [];
  const width = Math.max(lastFilled(top), lastFilled(sub)) + 1;
  const headers: string[] = [];
  const candidates: string[][] = [];
  let group = '';
  for (let i = 0; i < width; i++) {
    const t = top[i] ?? '';
    const s = sub[i] ?? '';
    if (!second) {
      headers.push(t);
      candidates.push([t]);
      continue;
    }
    if (t) group = t;
    else if (!s) group = '';
    const upper = t || group;
    headers.push(joinHeader(upper, s));
    candidates.push([joinHeader(upper, s), s, upper].filter((c) => c));
  }
  return { headers: uniqueHeaders(headers), candidates, dataStart: (second ?? first).row + 1 };
}

const lastFilled = (texts: string[]) => {
  for (let i = texts.length - 1; i >= 0; i--) if (texts[i]) return i;
  return -1;
};

const isSubHeader = (top: SheetCell[], next: SheetCell[]) => {
  if (!next.every((c) => c === null || typeof c === 'string')) return false;
  return next.some((c, i) => cellText(c) !== '' && cellText(top[i]) === '');
};

/** Blank headers get `Column n`; a repeated header gets ` (2)`, so the mapping's keys stay unique. */
const uniqueHeaders = (headers: string[]) => {
  const seen = new Map<string, number>();
  return headers.map((h, i) => {
    const base = h || `Column ${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
};

/** The effective mapping: the caller's first (by exact or normalised header), then the synonyms. */
function resolveMapping(header: Header, given: Record<string, ImportField | null> = {}) {
  const unknown = Object.entries(given).filter(([, field]) => field !== null && !isImportField(field));
  if (unknown.length > 0) {
    throw new ImportFileError(
      'IMPORT.UNKNOWN_FIELD',
      `The mapping names ${unknown.map(([, f]) => `"${String(f)}"`).join(', ')}, not an import field`,
      {
        fields: unknown.map(([column, field]) => ({
          path: `mapping.${column}`,
          message: `"${String(field)}" is not one of ${importFields.join(', ')}`,
          code: 'IMPORT.UNKNOWN_FIELD',
        })),
        allowed: importFields,
      },
    );
  }
  const givenByKey = new Map(Object.entries(given).map(([h, f]) => [normaliseHeader(h), f]));
  // A Map, not an object: a header may be called `__proto__` or `constructor`.
  const mapping = new Map<string, ImportField | null>();
  const used = new Set<ImportField>();
  const pending: number[] = [];
  header.headers.forEach((h, i) => {
    const explicit = Object.hasOwn(given, h) ? given[h] : givenByKey.get(normaliseHeader(h));
    if (explicit === undefined) {
      pending.push(i);
      mapping.set(h, null);
    } else if (explicit !== null && !used.has(explicit)) {
      mapping.set(h, explicit);
      used.add(explicit);
    } else mapping.set(h, null);
  });
  for (const i of pending) {
    const h = header.headers[i] as string;
    for (const candidate of header.candidates[i] ?? []) {
      const field = fieldForHeader(candidate);
      if (field && !used.has(field)) {
        mapping.set(h, field);
        used.add(field);
        break;
      }
    }
  }
  if (used.size === 0) {
    throw new ImportFileError(
      'IMPORT.NO_HEADER',
      'The first row names no known column: it must be a header such as 工单号, 标题, 创建时间 (Ticket number, Subject, Created)',
      { headers: header.headers },
    );
  }
  const missing = requiredImportFields.filter((f) => !used.has(f));
  if (missing.length > 0) {
    throw new ImportFileError(
      'IMPORT.MISSING_COLUMN',
      `No column for ${missing.map((f) => `${templateHeaders.en[f]} (${templateHeaders.zh[f]})`).join(', ')}`,
      {
        fields: missing.map((f) => ({
          path: f,
          message: `No column is mapped to ${f}`,
          code: 'IMPORT.MISSING_COLUMN',
        })),
        missing,
        headers: header.headers,
      },
    );
  }
  return Object.fromEntries(mapping);
}

const quote = (text: string) => `"${text.length > 60 ? `${text.slice(0, 57)}…` : text}"`;

interface RowContext {
  fieldAt: (ImportField | null)[];
  columnOf: Partial<Record<ImportField, string>>;
  applySuggestions: boolean;
  dateOrder: 'dmy' | 'mdy' | undefined;
  timeZone: string;
  /** externalId → the row it first appeared on (the only state kept across rows). */
  seen: Map<string, number>;
  /** Model prefix → product line, for a model without a product. */
  modelPrefixes: readonly ModelPrefix[];
}

/** The checks of one data row; pure apart from recording its externalId in `ctx.seen`. */
function checkRow(sheetRow: SheetRow, ctx: RowContext): CheckedRow {
  const { row } = sheetRow;
  const issues: ImportIssue[] = [];
  const column = (field: ImportField) => ctx.columnOf[field] ?? field;
  const label = (field: ImportField) => templateHeaders.en[field];
  const error = (field: ImportField, code: ImportIssueCode, message: string, suggestion?: string) =>
    issues.push({
      row,
      column: column(field),
      code,
      message,
      severity: 'error',
      ...(suggestion ? { suggestion } : {}),
    });

  const raw: Partial<Record<ImportField, SheetCell>> = {};
  ctx.fieldAt.forEach((field, i) => {
    if (!field) return;
    const cell = sheetRow.cells[i] ?? null;
    raw[field] = cell;
    if (typeof cell === 'string' && looksLikeFormula(cell.trim())) {
      issues.push({
        row,
        column: column(field),
        code: 'FORMULA',
        message: `${label(field)} ${quote(cell.trim())} starts like a spreadsheet formula; it is kept as plain text`,
        severity: 'warning',
      });
    }
  });
  const text = (field: ImportField): string | undefined => {
    const t = cellText(raw[field]);
    return t === '' ? undefined : t;
  };
  const bounded = (field: ImportField): string | undefined => {
    const t = text(field);
    const max = maxLengths[field];
    if (t !== undefined && max !== undefined && [...t].length > max) {
      error(
        field,
        'TOO_LONG',
        `${label(field)} is ${[...t].length} characters long; at most ${max} are allowed`,
      );
    }
    return t;
  };

  const externalId = bounded('externalId');
  if (externalId === undefined)
    error('externalId', 'REQUIRED', `${label('externalId')} is empty; every row needs one`);
  else {
    const first = ctx.seen.get(externalId);
    if (first !== undefined) {
      error(
        'externalId',
        'DUPLICATE_IN_FILE',
        `${label('externalId')} ${quote(externalId)} already appears on row ${first}`,
      );
    } else ctx.seen.set(externalId, row);
  }
  const subject = bounded('subject');
  if (subject === undefined)
    error('subject', 'REQUIRED', `${label('subject')} is empty; every row needs one`);
  const description = bounded('description');
  const category = bounded('category');
  const intent = bounded('intent');
  const team = bounded('team');
  const assignee = bounded('assignee');
  const customerName = bounded('customerName');
  const customerExternalId = bounded('customerExternalId');

  const enumValue = (field: EnumField): string | undefined => {
    const value = text(field);
    if (value === undefined) return undefined;
    const reading = readEnum(field, value);
    if (reading.kind === 'ok') return reading.value;
    const spec = enumFields[field];
    const message = `${spec.label} ${quote(value)} is not one of ${spec.values.join(', ')}`;
    if (reading.suggestion && ctx.applySuggestions) {
      issues.push({
        row,
        column: column(field),
        code: 'ENUM_UNKNOWN',
        message: `${message}; read as "${reading.suggestion}"`,
        suggestion: reading.suggestion,
        severity: 'warning',
        applied: true,
      });
      return reading.suggestion;
    }
    error(
      field,
      'ENUM_UNKNOWN',
      reading.suggestion ? `${message}; did you mean "${reading.suggestion}"?` : message,
      reading.suggestion,
    );
    return undefined;
  };
  let priority = enumValue('priority') as Priority | undefined;
  if (priority === undefined && text('priority') === undefined) {
    priority = 'normal';
    if (ctx.columnOf.priority) {
      issues.push({
        row,
        column: column('priority'),
        code: 'DEFAULT_USED',
        message: `${label('priority')} is empty; the default "normal" is used`,
        suggestion: 'normal',
        severity: 'warning',
      });
    }
  }
  const status = enumValue('status') as Status | undefined;
  const channel = enumValue('channel') as Channel | undefined;
  const tier = enumValue('customerTier') as Tier | undefined;

  const customerEmail = bounded('customerEmail');
  if (customerEmail !== undefined && !email.safeParse(customerEmail).success) {
    error(
      'customerEmail',
      'EMAIL_INVALID',
      `${label('customerEmail')} ${quote(customerEmail)} is not an e-mail address`,
    );
  }
  const customerPhone = bounded('customerPhone');
  if (customerPhone !== undefined && !isPhone(customerPhone)) {
    error(
      'customerPhone',
      'PHONE_INVALID',
      `${label('customerPhone')} ${quote(customerPhone)} is not a phone number (a mobile, a landline with its area code, a 400 number, or +country)`,
    );
  }
  if (customerEmail === undefined && customerPhone === undefined) {
    const field =
      ctx.columnOf.customerEmail || !ctx.columnOf.customerPhone ? 'customerEmail' : 'customerPhone';
    error(
      field,
      'REQUIRED',
      'The customer has no e-mail address and no phone number; one of them is required',
    );
  }

  const dates: Partial<Record<ImportField, string>> = {};
  for (const field of dateImportFields) {
    const cell = raw[field];
    if (cell === undefined || cell === null || cellText(cell) === '') {
      if (field === 'createdAt') error(field, 'REQUIRED', `${label(field)} is empty; every row needs one`);
      continue;
    }
    const shown = quote(cellText(cell));
    const reading = readDate(cell, { timeZone: ctx.timeZone, dateOrder: ctx.dateOrder });
    if (reading.kind === 'ok') dates[field] = reading.iso;
    else if (reading.kind === 'ambiguous') {
      error(
        field,
        'DATE_AMBIGUOUS',
        `${label(field)} ${shown} can be read as ${reading.readings[0]} (month first) or ${reading.readings[1]} (day first); choose the date order`,
        reading.readings.join(' | '),
      );
    } else {
      error(
        field,
        'DATE_INVALID',
        `${label(field)} ${shown} is not a date (write 2026-01-21 09:05, 2026/1/21 9:05, 21/01/2026 or 2026年1月21日 9点5分)`,
      );
    }
  }

  let tags: string[] | undefined;
  const tagText = text('tags');
  if (tagText !== undefined) {
    tags = [
      ...new Set(
        tagText
          .split(/[,，;；|、]/)
          .map((t) => t.trim())
          .filter((t) => t),
      ),
    ];
    const long = tags.find((t) => [...t].length > maxTagLength);
    if (tags.length > maxTags)
      error('tags', 'TOO_LONG', `${tags.length} tags; at most ${maxTags} are allowed`);
    else if (long) error('tags', 'TOO_LONG', `Tag ${quote(long)} is longer than ${maxTagLength} characters`);
  }

  const productText = bounded('product');
  const modelText = bounded('model');
  const product =
    productText !== undefined || modelText !== undefined
      ? productOf(productText, modelText, ctx.modelPrefixes)
      : null;
  if ((productText !== undefined || modelText !== undefined) && !product) {
    error(
      'product',
      'REQUIRED',
      `${label('product')} is empty and model ${quote(modelText ?? '')} starts with no known model prefix; give the product line`,
    );
  }
  const regionText = bounded('region');
  const region = regionText === undefined ? undefined : normaliseRegion(regionText);
  if (region !== undefined && [...region].length > maxRegionLength) {
    error(
      'region',
      'TOO_LONG',
      `${label('region')} ${quote(regionText ?? '')} names no known province or city and is longer than ${maxRegionLength} characters`,
    );
  }

  if (issues.some((i) => i.severity === 'error')) return { row, values: null, issues };
  const values: ImportTicketValues = {
    externalId: externalId as string,
    subject: subject as string,
    priority: priority ?? 'normal',
    status: status ?? (dates.closedAt ? 'closed' : dates.resolvedAt ? 'resolved' : 'new'),
    channel: channel ?? 'import',
    customer: {
      tier: tier ?? 'standard',
      ...(customerEmail ? { email: customerEmail } : {}),
      ...(customerName ? { name: customerName } : {}),
      ...(customerPhone ? { phone: customerPhone } : {}),
      ...(customerExternalId ? { externalId: customerExternalId } : {}),
    },
    createdAt: dates.createdAt as string,
    ...(description ? { description } : {}),
    ...(category ? { category } : {}),
    ...(intent ? { intent } : {}),
    ...(team ? { team } : {}),
    ...(assignee ? { assignee } : {}),
    ...(dates.updatedAt ? { updatedAt: dates.updatedAt } : {}),
    ...(dates.resolvedAt ? { resolvedAt: dates.resolvedAt } : {}),
    ...(dates.closedAt ? { closedAt: dates.closedAt } : {}),
    ...(tags && tags.length > 0 ? { tags } : {}),
    ...(product ? { product: product.line, ...(product.model ? { model: product.model } : {}) } : {}),
    ...(region ? { region } : {}),
  };
  return { row, values, issues };
}

/**
 * Opens an import file: enforces the size limit while reading it once, tells CSV from XLSX (by `format`,
 * else a zip signature), detects a CSV's encoding, reads the header and resolves the column mapping.
 * Throws `ImportFileError` (empty, binary, too large, unknown mapped field, no header, a required column
 * missing) before any row is yielded. `rows` reads the file again from `source` on each iteration and
 * checks row by row, holding one row at a time (and the externalIds seen, for duplicates).
 */
export async function openImport(
  source: () => AsyncIterable<Uint8Array>,
  options: ImportOptions & { format?: 'csv' | 'xlsx'; modelPrefixes?: readonly ModelPrefix[] } = {},
): Promise<OpenedImport> {
  const timeZone = options.timeZone ?? defaultTimeZone;
  if (!DateTime.now().setZone(timeZone).isValid) {
    throw validationError('Unknown time zone', [
      { path: 'timeZone', message: `"${timeZone}" is not an IANA time zone` },
    ]);
  }
  const { sample, size } = await probe(source, options.maxBytes ?? defaultMaxBytes);
  if (size === 0) throw new ImportFileError('IMPORT.EMPTY_FILE', 'The file is empty');
  const format = options.format ?? (isZip(sample) ? 'xlsx' : 'csv');
  let encoding: string;
  let readRows: () => AsyncGenerator<SheetRow>;
  if (format === 'xlsx') {
    if (!isZip(sample))
      throw new ImportFileError('IMPORT.UNSUPPORTED_FORMAT', 'The file is not an XLSX workbook');
    encoding = 'UTF-8';
    readRows = () => readXlsxRows(source());
  } else {
    const detected = detectEncoding(sample);
    const start = decodeSample(sample, detected);
    if (start.trim() === '') throw new ImportFileError('IMPORT.EMPTY_FILE', 'The file is empty');
    const delimiter = sniffDelimiter(start);
    encoding = detected.name;
    readRows = async function* () {
      let row = 0;
      for await (const cells of readCsvRecords(decodeText(source(), detected), { delimiter })) {
        row += 1;
        yield { row, cells };
      }
    };
  }
  const header = await readHeader(readRows, format);
  const mapping = resolveMapping(header, options.mapping);
  const fieldAt = header.headers.map((h) => (Object.hasOwn(mapping, h) ? (mapping[h] ?? null) : null));
  const columnOf: Partial<Record<ImportField, string>> = {};
  header.headers.forEach((h, i) => {
    const field = fieldAt[i];
    if (field) columnOf[field] = h;
  });
  const check = async function* (): AsyncGenerator<CheckedRow> {
    const ctx: RowContext = {
      fieldAt,
      columnOf,
      applySuggestions: options.applySuggestions ?? false,
      dateOrder: options.dateOrder,
      timeZone,
      seen: new Map(),
      modelPrefixes: options.modelPrefixes ?? modelPrefixes(),
    };
    for await (const sheetRow of readRows()) {
      if (sheetRow.row < header.dataStart || isBlank(sheetRow.cells)) continue;
      yield checkRow(sheetRow, ctx);
    }
  };
  return { format, encoding, headers: header.headers, mapping, rows: { [Symbol.asyncIterator]: check } };
}
