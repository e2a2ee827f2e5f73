import type { Channel } from '../actor.ts';
import type { Priority, Status } from '../ticket/lifecycle.ts';
import type { Tier } from '../ticket/ticket.entity.ts';
import type { ImportField } from './import-fields.ts';

/** The A → B contract of the import (import-contract, docs/import.md). */
export type ImportIssueCode =
  | 'REQUIRED'
  | 'DATE_INVALID'
  | 'DATE_AMBIGUOUS'
  | 'ENUM_UNKNOWN'
  | 'EMAIL_INVALID'
  | 'PHONE_INVALID'
  | 'DUPLICATE_IN_FILE'
  | 'TOO_LONG'
  | 'FORMULA'
  | 'DEFAULT_USED';

export interface ImportIssue {
  /** 1-based row number as a spreadsheet user sees it (header = row 1, first data row = 2). */
  row: number;
  /** The file's header text (or the field name when the column is missing). */
  column: string;
  code: ImportIssueCode;
  /** English, names the value. */
  message: string;
  /** e.g. `high`; for DATE_AMBIGUOUS the two readings `2026-03-04 | 2026-04-03`. */
  suggestion?: string;
  severity: 'error' | 'warning';
  /** True when applySuggestions turned this suggestion into the value. */
  applied?: boolean;
}

/** What a row imports as; only rows with no `error` issue carry values. */
export interface ImportTicketValues {
  externalId: string;
  subject: string;
  description?: string;
  priority: Priority;
  status: Status;
  category?: string;
  intent?: string;
  team?: string;
  assignee?: string;
  channel: Channel;
  customer: { email?: string; name?: string; phone?: string; tier: Tier; externalId?: string };
  createdAt: string;
  updatedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  tags?: string[];
  /** Product line; with only a model, the model-prefix table's line (docs/analytics.md). */
  product?: string;
  /** Model number, upper case. */
  model?: string;
  /** Normalised when it names a known place (`北京市/朝阳区`). */
  region?: string;
}

export interface CheckedRow {
  row: number;
  values: ImportTicketValues | null;
  issues: ImportIssue[];
}

export interface ImportOptions {
  /** Header text → field (null = ignore); unmapped headers use the built-in zh/en synonyms. */
  mapping?: Record<string, ImportField | null>;
  /** Default false. */
  applySuggestions?: boolean;
  /** How to read an ambiguous 03/04/2026; default none → DATE_AMBIGUOUS error. */
  dateOrder?: 'dmy' | 'mdy';
  /** For dates without an offset; default 'Asia/Shanghai'. */
  timeZone?: string;
  /** Default 50 MiB. */
  maxBytes?: number;
}

export interface OpenedImport {
  format: 'csv' | 'xlsx';
  /** 'UTF-8' | 'UTF-8 (BOM)' | 'GB18030' | 'Big5' | …; GBK files are reported as GB18030, its superset. */
  encoding: string;
  headers: string[];
  /** The effective mapping: every header → field or null. */
  mapping: Record<string, ImportField | null>;
  /** Streamed: each iteration reads the file again from `source`; blank rows are skipped. */
  rows: AsyncIterable<CheckedRow>;
}
