import chardet from 'chardet';
import iconv from 'iconv-lite';

/**
 * Charsets tried for unlabelled 8-bit header bytes when neither the message nor the detector settles
 * it, in the order a desk serving Chinese, Japanese and Korean customers prefers them on a tie.
 */
const fallbackCharsets = ['gb18030', 'shift_jis', 'big5', 'euc-kr', 'euc-jp', 'windows-1252'] as const;

/** Labels as mail and the detector write them → the decoder used (a superset where one exists). */
const decoderFor: Record<string, string> = {
  gb2312: 'gb18030',
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  cp936: 'gb18030',
  'euc-cn': 'gb18030',
  gb18030: 'gb18030',
  shift_jis: 'shift_jis',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
  'x-sjis': 'shift_jis',
  windows_31j: 'shift_jis',
  'windows-31j': 'shift_jis',
  cp932: 'shift_jis',
  big5: 'big5',
  'big5-hkscs': 'big5',
  'euc-kr': 'euc-kr',
  'ks_c_5601-1987': 'euc-kr',
  'euc-jp': 'euc-jp',
  'iso-8859-1': 'windows-1252',
  'windows-1252': 'windows-1252',
};

/** A 7-bit body label says nothing about 8-bit header bytes except which language the writer used. */
const hintsFor = (label: string): string[] => {
  const lower = label.toLowerCase();
  if (lower === 'iso-2022-jp') return ['shift_jis', 'euc-jp'];
  if (lower === 'iso-2022-kr') return ['euc-kr'];
  const decoder = decoderFor[lower];
  return decoder ? [decoder] : [];
};

const utf8 = new TextDecoder('utf-8', { fatal: true });
const isUtf8 = (bytes: Uint8Array) => {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
};
const has8bit = (bytes: Uint8Array) => bytes.some((b) => b >= 0x80);

/**
 * Rewrites the header fields of a raw message that carry raw 8-bit bytes which are not UTF-8 (an older
 * Chinese client's GBK Subject, a Japanese one's Shift_JIS display name) into UTF-8, which the parser
 * then reads as it reads any raw UTF-8 header. Fields that are valid UTF-8 are kept as they are (UTF-8
 * is preferred whenever the bytes are valid UTF-8); the body is never touched. The charset is chosen
 * once per message from all such fields together — short names alone are too little to tell — by the
 * top-level Content-Type's charset, `chardet`, and how plausible each candidate's text is.
 * `charset` is null when nothing needed rewriting.
 */
export function transcodeUnlabelledHeaders(bytes: Buffer): { bytes: Buffer; charset: string | null } {
  const end = headerEnd(bytes);
  const header = bytes.subarray(0, end);
  if (!has8bit(header)) return { bytes, charset: null };

  const fields = splitFields(header);
  const foreign = fields.filter((f) => has8bit(f) && !isUtf8(f));
  if (foreign.length === 0) return { bytes, charset: null };

  const sample = Buffer.concat(foreign.flatMap((f) => [fieldValue(f), Buffer.from(' ')]));
  const charset = chooseCharset(sample, bodyCharset(fields));
  if (!charset) return { bytes, charset: null };

  const rewritten = fields.map((f) =>
    foreign.includes(f) ? Buffer.from(iconv.decode(f, charset), 'utf8') : f,
  );
  return { bytes: Buffer.concat([...rewritten, bytes.subarray(end)]), charset };
}

/** Where the header section ends: at the blank line (its line break stays with the body). */
function headerEnd(bytes: Buffer): number {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const ends = [crlf === -1 ? -1 : crlf + 2, lf === -1 ? -1 : lf + 1].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : bytes.length;
}

/** Header fields with their folded continuation lines and line breaks, in order; concatenated they are the header. */
function splitFields(header: Buffer): Buffer[] {
  const fields: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    if (header[i] !== 0x0a) continue;
    const next = header[i + 1];
    // A line that starts with a space or tab continues the field (RFC 5322 folding).
    if (next === 0x20 || next === 0x09) continue;
    fields.push(header.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < header.length) fields.push(header.subarray(start));
  return fields;
}

const fieldValue = (field: Buffer) => {
  const colon = field.indexOf(0x3a);
  return colon === -1 ? field : field.subarray(colon + 1);
};

/** The charset the top-level Content-Type declares, if any (a hint for the writer's language). */
function bodyCharset(fields: Buffer[]): string | null {
  const field = fields.find((f) => /^content-type\s*:/i.test(f.toString('latin1')));
  const match = field && /charset\s*=\s*"?([A-Za-z0-9._:+-]+)/i.exec(field.toString('latin1'));
  return match ? match[1]! : null;
}

function chooseCharset(sample: Buffer, label: string | null): string | null {
  const hints = label ? hintsFor(label) : [];
  const detected = new Map<string, number>();
  for (const match of chardet.analyse(sample)) {
    const decoder = decoderFor[match.name.toLowerCase()];
    if (decoder && !detected.has(decoder)) detected.set(decoder, match.confidence / 100);
  }
  const candidates = [...new Set([...hints, ...detected.keys(), ...fallbackCharsets])];
  const preference = (charset: string) => {
    const at = (fallbackCharsets as readonly string[]).indexOf(charset);
    return at === -1 ? 0 : fallbackCharsets.length - at;
  };
  let best: { charset: string; score: number } | null = null;
  for (const charset of candidates) {
    const plausible = plausibility(iconv.decode(sample, charset), charset);
    if (plausible === null) continue;
    // On a tie (the same bytes read as common characters in two charsets), the preference order decides.
    const score =
      plausible +
      (hints.includes(charset) ? 0.5 : 0) +
      0.3 * (detected.get(charset) ?? 0) +
      0.01 * preference(charset);
    if (!best || score > best.score) best = { charset, score };
  }
  return best?.charset ?? null;
}

const codeOf = (c: string) => c.codePointAt(0)!;

/**
 * Whether an ideograph is a common one in the candidate's own standard: GB2312 level 1 for Chinese
 * charsets, JIS X 0208 level 1 for Japanese ones, Big5's frequent block; either of the first two otherwise.
 */
function commonIdeograph(c: string, charset: string): boolean {
  const gb = () => {
    const b = iconv.encode(c, 'gbk');
    return b.length === 2 && b[0]! >= 0xb0 && b[0]! <= 0xd7 && b[1]! >= 0xa1;
  };
  const jis = () => {
    const b = iconv.encode(c, 'shift_jis');
    return b.length === 2 && b[0]! >= 0x88 && b[0]! <= 0x98;
  };
  if (charset === 'gb18030') return gb();
  if (charset === 'shift_jis' || charset === 'euc-jp') return jis();
  if (charset === 'big5') {
    const b = iconv.encode(c, 'big5');
    return b.length === 2 && b[0]! >= 0xa4 && b[0]! <= 0xc6;
  }
  return gb() || jis();
}

/**
 * How much a decoding reads like text, 0…1 over its non-ASCII characters: common ideographs, kana,
 * Hangul, CJK punctuation and Latin letters count fully or partly; rare ideographs little (a wrong
 * double-byte charset lands on them); half-width katakana (GBK read as Shift_JIS) almost nothing.
 * Null when the bytes do not decode at all (a replacement character, C1 controls, private use).
 */
function plausibility(text: string, charset: string): number | null {
  let total = 0;
  let count = 0;
  for (const c of text) {
    const code = codeOf(c);
    if (code < 0x80) continue;
    if (code === 0xfffd || (code >= 0x80 && code <= 0x9f) || (code >= 0xe000 && code <= 0xf8ff)) return null;
    count++;
    if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || code >= 0x20000) {
      total += commonIdeograph(c, charset) ? 1 : 0.3;
    } else if (code >= 0x3040 && code <= 0x30ff) total += 1;
    else if ((code >= 0x3000 && code <= 0x303f) || (code >= 0xff01 && code <= 0xff5e)) total += 1;
    else if (code >= 0xac00 && code <= 0xd7a3) total += 0.8;
    else if (code >= 0xff61 && code <= 0xff9f) total += 0.1;
    else if (code >= 0xc0 && code <= 0xff) total += 0.5;
    else total += 0.2;
  }
  return count === 0 ? 0 : total / count;
}
