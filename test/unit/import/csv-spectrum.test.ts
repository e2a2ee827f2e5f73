import { existsSync, readdirSync, readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readCsvRecords, sniffDelimiter } from '../../../shared/domain/import/csv-records.ts';
import {
  decodeSample,
  decodeText,
  detectEncoding,
  probe,
} from '../../../shared/domain/import/text-encoding.ts';
import { sourceOf } from './support.ts';

const spectrum = new URL('../../../../shared/data/csv-spectrum/', import.meta.url);
const cases = existsSync(spectrum)
  ? readdirSync(new URL('csvs/', spectrum)).map((f) => f.replace(/\.csv$/, ''))
  : [];

const encodings = [
  { label: 'UTF-8', iconv: 'utf8', bom: false },
  { label: 'UTF-8 with BOM', iconv: 'utf8', bom: true },
  { label: 'GB18030', iconv: 'gb18030', bom: false },
  { label: 'Big5', iconv: 'big5', bom: false },
];

/** The file's records as objects keyed by its header, read the way an import reads a CSV. */
async function readAsObjects(bytes: Uint8Array) {
  const source = sourceOf(bytes, 7);
  const { sample } = await probe(source, 1024 * 1024);
  const encoding = detectEncoding(sample);
  const records: string[][] = [];
  const delimiter = sniffDelimiter(decodeSample(sample, encoding));
  for await (const record of readCsvRecords(decodeText(source(), encoding), { delimiter }))
    records.push(record);
  const [header = [], ...rows] = records;
  return rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
}

describe('readCsvRecords() on the csv-spectrum suite', () => {
  it('finds the suite beside the repository', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  const matrix = cases.flatMap((name) => encodings.map((encoding) => [name, encoding] as const));
  it.each(matrix)('reads %s encoded as %o as its json twin says', async (name, encoding) => {
    // Prepare
    const text = readFileSync(new URL(`csvs/${name}.csv`, spectrum), 'utf8');
    const expected = JSON.parse(readFileSync(new URL(`json/${name}.json`, spectrum), 'utf8'));
    // "Where the text allows": a character the encoding cannot hold is not a case for it.
    const encoded = iconv.encode(text, encoding.iconv, { addBOM: encoding.bom });
    if (iconv.decode(encoded, encoding.iconv) !== text) return;
    // Act
    const rows = await readAsObjects(encoded);
    // Assess
    expect(rows).toEqual(expected);
  });

  it('keeps the BOM out of the first header', async () => {
    const rows = await readAsObjects(iconv.encode('a,b\n1,2\n', 'utf8', { addBOM: true }));
    expect(Object.keys(rows[0] ?? {})).toEqual(['a', 'b']);
  });

  it('reads semicolon- and tab-separated files by their first line', async () => {
    expect(await readAsObjects(iconv.encode('a;b\n"1;x";2\n', 'utf8'))).toEqual([{ a: '1;x', b: '2' }]);
    expect(await readAsObjects(iconv.encode('a\tb\n1,5\t2\n', 'utf8'))).toEqual([{ a: '1,5', b: '2' }]);
  });
});
