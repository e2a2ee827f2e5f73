import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ImportFileError } from './import-errors.ts';

/** A cell as the pre-check sees it: text, a number, a date (Excel's wall-clock time in the UTC fields), or empty. */
export type SheetCell = string | number | Date | null;
export interface SheetRow {
  /** The spreadsheet's row number (1-based). */
  row: number;
  cells: SheetCell[];
}

/** exceljs's cell value, as far as this reader cares. */
type ExcelValue =
  | null
  | undefined
  | string
  | number
  | boolean
  | Date
  | { formula?: string; sharedFormula?: string; result?: unknown }
  | { richText: { text: string }[] }
  | { text: string; hyperlink: string }
  | { error: string };

const toCell = (value: ExcelValue): SheetCell => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('hyperlink' in value) return value.text;
  if ('error' in value) return value.error;
  // A formula is kept as its text (the pre-check flags it): its cached result is not what was written.
  if ('formula' in value && value.formula) return `=${value.formula}`;
  if ('sharedFormula' in value && value.sharedFormula) return `=${value.sharedFormula}`;
  return null;
};

/**
 * The rows of the workbook's first worksheet, streamed with exceljs's `WorkbookReader` (shared strings are
 * cached, as exceljs requires; rows are not). Date-formatted cells come as `Date`, other numbers as numbers.
 * exceljs's stream reader does not report merged ranges: a merged cell's covered cells come as empty, which
 * is what the header logic in check-import.ts works from.
 */
export async function* readXlsxRows(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SheetRow> {
  const input = Readable.from(chunks);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet) {
        const values = row.values as ExcelValue[];
        const cells: SheetCell[] = [];
        for (let i = 1; i < values.length; i++) cells.push(toCell(values[i]));
        yield { row: row.number, cells };
      }
      return; // the first worksheet only
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(
      'IMPORT.MALFORMED_FILE',
      `The XLSX workbook cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      { cause: error },
    );
  } finally {
    input.destroy();
  }
}
