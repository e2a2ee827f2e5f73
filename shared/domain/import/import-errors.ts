import { DomainError, type ErrorKind } from '../errors.ts';

/** Why a file cannot be imported at all (as opposed to a row's `ImportIssue`). */
export type ImportFileErrorCode =
  | 'IMPORT.EMPTY_FILE'
  | 'IMPORT.BINARY_FILE'
  | 'IMPORT.TOO_LARGE'
  | 'IMPORT.UNKNOWN_FIELD'
  | 'IMPORT.NO_HEADER'
  | 'IMPORT.MISSING_COLUMN'
  | 'IMPORT.UNSUPPORTED_FORMAT'
  | 'IMPORT.MALFORMED_FILE';

const kinds: Record<ImportFileErrorCode, ErrorKind> = {
  'IMPORT.EMPTY_FILE': 'invalid',
  'IMPORT.BINARY_FILE': 'unsupported_media',
  'IMPORT.TOO_LARGE': 'too_large',
  'IMPORT.UNKNOWN_FIELD': 'invalid',
  'IMPORT.NO_HEADER': 'invalid',
  'IMPORT.MISSING_COLUMN': 'invalid',
  'IMPORT.UNSUPPORTED_FORMAT': 'unsupported_media',
  'IMPORT.MALFORMED_FILE': 'invalid',
};

/**
 * A file that cannot be imported: 400 (empty, no header, a missing required column, an unknown mapped
 * field, malformed CSV or XLSX), 413 (too large) or 415 (binary, not CSV or XLSX). Thrown by `openImport`
 * before any row is yielded, except `IMPORT.MALFORMED_FILE`, which can only be found where it occurs.
 */
export class ImportFileError extends DomainError {
  declare readonly code: ImportFileErrorCode;

  constructor(
    code: ImportFileErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(kinds[code], code, message, details, options);
    this.name = 'ImportFileError';
  }
}
