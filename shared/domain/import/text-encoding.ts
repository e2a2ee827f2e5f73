import chardet from 'chardet';
import iconv from 'iconv-lite';
import { ImportFileError } from './import-errors.ts';

/** How much of the file's start is kept to sniff the format and guess the encoding. */
export const sampleBytes = 64 * 1024;

export interface Probe {
  /** The first `sampleBytes` bytes (fewer when the file is smaller). */
  sample: Uint8Array;
  size: number;
}

/**
 * Reads the whole file once, counting its bytes and keeping the start: the size limit is enforced while
 * streaming (reading stops as soon as it is passed), so a 5 GB upload is never held.
 */
export async function probe(source: () => AsyncIterable<Uint8Array>, maxBytes: number): Promise<Probe> {
  const parts: Uint8Array[] = [];
  let kept = 0;
  let size = 0;
  for await (const chunk of source()) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      throw new ImportFileError('IMPORT.TOO_LARGE', `The file is larger than ${maxBytes} bytes`, {
        maxBytes,
      });
    }
    if (kept < sampleBytes) {
      const part = chunk.subarray(0, sampleBytes - kept);
      parts.push(part);
      kept += part.byteLength;
    }
  }
  return { sample: Buffer.concat(parts), size };
}

export const isZip = (sample: Uint8Array) =>
  sample.length >= 4 && sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04;

/** A detected text encoding: `name` as reported to people, `iconv` as iconv-lite knows it. */
export interface TextEncoding {
  name: string;
  iconv: string;
}

const boms: { bytes: number[]; encoding: TextEncoding }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: { name: 'UTF-8 (BOM)', iconv: 'utf8' } },
  { bytes: [0xff, 0xfe], encoding: { name: 'UTF-16LE (BOM)', iconv: 'utf16le' } },
  { bytes: [0xfe, 0xff], encoding: { name: 'UTF-16BE (BOM)', iconv: 'utf16be' } },
];

const isValidUtf8 = (bytes: Uint8Array) => {
  try {
    // `stream: true` tolerates a character cut at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
};

/** Control characters that no text file holds (tab, CR, LF, form feed, escape and SUB are allowed). */
const isBinary = (bytes: Uint8Array) => {
  let control = 0;
  for (const b of bytes) {
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b && b !== 0x1a)
      control++;
  }
  return control > bytes.length / 100;
};

// The most frequent characters of written Chinese, simplified and traditional: text decoded with the right
// double-byte table is full of them, text decoded with the wrong one (GBK bytes read as Big5 or the other
// way round) is mostly rare characters and replacement marks.
const commonHanzi = new Set(
  '的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士户网络话单号' +
    '們這個來國會時說對學過後麼沒還發經開動長現與點種實裡將從當兩無問題處務號單聯絡網戶電話帳應該請謝協助統輸機腦連線狀態級緊優關閉決標郵費訂購貨幣價錢門開頁面碼認證幫買賣係為誰線並見視覺讀寫聽說讓給隊員辦樣麼嗎',
);

const hanziScore = (text: string) => {
  let score = 0;
  for (const ch of text) {
    if (commonHanzi.has(ch)) score += 1;
    else if (ch === '\uFFFD') score -= 10;
  }
  return score;
};

/**
 * The encoding of a CSV file from its first bytes: a BOM decides; bytes that are valid UTF-8 are UTF-8;
 * otherwise chardet's guess when it is confident (50 or more); where it is not (short samples) the Chinese
 * double-byte encoding whose decoding reads as common Chinese, else GB18030 when it decodes the bytes
 * cleanly, else chardet's guess. GBK is reported as GB18030, its superset.
 */
export function detectEncoding(sample: Uint8Array): TextEncoding {
  for (const { bytes, encoding } of boms) {
    if (bytes.every((b, i) => sample[i] === b)) return encoding;
  }
  if (isBinary(sample)) {
    throw new ImportFileError('IMPORT.BINARY_FILE', 'The file is not text (CSV) nor an XLSX workbook');
  }
  if (isValidUtf8(sample)) return { name: 'UTF-8', iconv: 'utf8' };
  const ranked = chardet.analyse(sample);
  const top = ranked[0];
  if (top && top.confidence >= 50 && iconv.encodingExists(top.name)) return named(top.name);
  const buffer = Buffer.from(sample);
  const gb = hanziScore(iconv.decode(buffer, 'gb18030'));
  const big5 = hanziScore(iconv.decode(buffer, 'big5'));
  if (gb > 0 || big5 > 0) return big5 > gb ? named('Big5') : named('GB18030');
  // Too little text to tell: Gongdan's files come from Chinese desks, so GB18030 (Excel's "CSV" on a
  // Chinese Windows) is taken whenever it reads the bytes cleanly.
  if (!iconv.decode(buffer, 'gb18030').includes('\uFFFD')) return named('GB18030');
  if (top && iconv.encodingExists(top.name)) return named(top.name);
  return named('GB18030');
}

const named = (name: string): TextEncoding => {
  const upper = name.toUpperCase();
  if (upper === 'GB18030' || upper === 'GBK' || upper === 'GB2312')
    return { name: 'GB18030', iconv: 'gb18030' };
  if (upper === 'BIG5') return { name: 'Big5', iconv: 'big5' };
  return { name, iconv: name };
};

/** The file's text, decoded chunk by chunk (a character split across chunks is joined; a BOM is dropped). */
export async function* decodeText(
  chunks: AsyncIterable<Uint8Array>,
  encoding: TextEncoding,
): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(encoding.iconv);
  for await (const chunk of chunks) {
    const text = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** The sample decoded (for sniffing the delimiter and telling an empty file). */
export const decodeSample = (sample: Uint8Array, encoding: TextEncoding) =>
  iconv.decode(Buffer.from(sample), encoding.iconv).replace(/^\uFEFF/, '');
