import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { ImportFileError } from './import-errors.ts';

/** The longest record accepted (characters): an unclosed quote must not swallow a 50 MB file into memory. */
const maxRecordChars = 1_000_000;

/** The delimiter of the file's first line: comma, semicolon or tab, whichever occurs most outside quotes. */
export function sniffDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

/**
 * The records of CSV text, streamed with csv-parse (RFC 4180: quoted commas, quotes and line breaks; CRLF
 * or LF; a BOM dropped). Every line is a record, an empty one included, so record n is the spreadsheet's
 * row n. Ragged rows are kept as they are; malformed quoting → `IMPORT.MALFORMED_FILE`.
 */
export async function* readCsvRecords(
  text: AsyncIterable<string> | Iterable<string>,
  options: { delimiter?: string } = {},
): AsyncGenerator<string[]> {
  const parser = parse({
    bom: true,
    delimiter: options.delimiter ?? ',',
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: maxRecordChars,
  });
  const input = Readable.from(text, { objectMode: false });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const record of parser) yield record as string[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new ImportFileError(
        'IMPORT.MALFORMED_FILE',
        `The CSV file cannot be read${line ? ` near line ${line}` : ''}: ${error.message}`,
        { line },
        { cause: error },
      );
    }
    throw error;
  } finally {
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }
}
