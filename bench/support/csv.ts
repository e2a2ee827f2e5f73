/**
 * RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks; rows end in LF or CRLF.
 * Returns records keyed by the header row. Enough for the labelled datasets the benches read; checked
 * against the csv-spectrum suite (test/unit/csv.test.ts).
 */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRow();
    else if (c === '\r' && text[i + 1] === '\n') {
      endRow();
      i++;
    } else field += c;
    i++;
  }
  if (field !== '' || row.length > 0) endRow();
  const [header, ...records] = rows;
  if (!header) return [];
  return records.map((values) => Object.fromEntries(header.map((name, j) => [name, values[j] ?? ''])));
}
