/**
 * Features of a ticket's text for the intent model: what a short, noisy, bilingual ticket can be
 * recognised by without a dictionary or a word segmenter.
 *
 * - Chinese (Han runs): character unigrams and bigrams. Chinese has no spaces and no segmenter is
 *   bundled; bigrams carry most words (电梯, 发票, 投诉) and unigrams catch the rest.
 * - Other scripts (Latin, digits): lower-cased words, lightly stemmed so `refunded`/`refunds`/`refund`
 *   meet, plus adjacent-word bigrams (`not working`, `log in`). Digits collapse to `0` so room and
 *   invoice numbers do not become features one by one. (Character 4-grams of longer words, for typos,
 *   were tried: with naive Bayes they cost 0.4 points of cross-validated accuracy and a fifth of the
 *   model's size, so they are out.)
 * - The subject's words again with a prefix: what someone puts in a title says more than the body.
 *
 * Features are returned once each (presence, not counts): a ticket repeating a word is not more of its
 * kind. NFKC first, so full-width letters and digits read like half-width ones.
 */

const hanRun = /\p{Script=Han}+/gu;
const wordRun = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
const han = /\p{Script=Han}/u;

/** Words too common to say anything on their own (they still form bigrams). */
const stopWords = new Set(
  'a an the and or but if of to in on at for from by with as is are was were be been being it its this that these those i me my we our you your he she they them their there here have has had do does did so than then too very can could would should will just also am pm'.split(
    ' ',
  ),
);

/** A light suffix stemmer: enough to join inflections of the same word, never a dictionary. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ing') && word.length > 5) return trimDouble(word.slice(0, -3));
  if (word.endsWith('ed') && word.length > 4) return trimDouble(word.slice(0, -2));
  if (word.endsWith('ly') && word.length > 4) return word.slice(0, -2);
  if (word.endsWith('es') && /(?:ss|sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

/** `stopped` → `stopp` → `stop`; `billed` → `bill` stays (a double `l` is part of many roots). */
function trimDouble(root: string): string {
  const last = root.at(-1);
  return last && last === root.at(-2) && 'bdgmnprt'.includes(last) ? root.slice(0, -1) : root;
}

function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const [token] of text.matchAll(wordRun)) {
    if (han.test(token)) continue;
    words.push(stem(token.replace(/\d+/g, '0').replace(/['’]/g, '')));
  }
  return words;
}

function addText(text: string, into: Set<string>, prefix: string) {
  for (const [run] of text.matchAll(hanRun)) {
    for (let i = 0; i < run.length; i++) {
      into.add(`${prefix}c:${run[i]}`);
      if (i + 1 < run.length) into.add(`${prefix}c:${run[i]}${run[i + 1]}`);
    }
  }
  const words = wordsOf(text.replace(hanRun, ' | '));
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!stopWords.has(word)) into.add(`${prefix}w:${word}`);
    const next = words[i + 1];
    if (next) into.add(`${prefix}b:${word}_${next}`);
  }
}

/** The distinct features of a ticket's subject and description. */
export function ticketFeatures(subject: string, description: string): string[] {
  const title = subject.normalize('NFKC').toLowerCase();
  const body = description.normalize('NFKC').toLowerCase();
  const features = new Set<string>();
  addText(`${title}\n${body}`, features, '');
  addText(title, features, 's');
  return [...features];
}
