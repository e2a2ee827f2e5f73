/**
 * Quoted history and signatures, as mail clients write them. Western clients quote with `> ` under an
 * attribution line ("On … wrote:"); Outlook, QQ Mail, Foxmail and NetEase (163/126) instead paste the
 * earlier message unmarked under a separator or a header block (From/Sent/To/Subject, 发件人/发送时间/
 * 收件人/主题), so everything below that point is history.
 */
const separator =
  /^\s*[-_=—]{2,}\s*(?:original message|original|forwarded by .*|原始邮件|原始郵件|邮件原件|郵件原件|回复的原邮件|原邮件)\s*[-_=—]{2,}\s*$/i;

const attributionEn =
  /^\s*(?:on|at|am|le|el|il|op|em)\b.{4,300}\b(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu)\s*:\s*$/i;

/** `在 2026年11月16日 10:00，张三 <z@example.com> 写道：` (Gmail, NetEase), or Apple Mail's form without 在. */
const attributionZh = /^\s*(?:在|於|于)?\s*.{0,200}?(?:\d|@).{0,200}(?:写道|寫道)\s*[:：]\s*$/;

const headerFrom = /^\s*\*?\s*(?:from|von|de|发件人|寄件者|發件人)\s*\*?\s*[:：]/i;
const headerSent =
  /^\s*\*?\s*(?:sent|date|gesendet|envoyé|发送时间|发件时间|日期|時間|时间|寄件日期|傳送時間)\s*\*?\s*[:：]/i;
const headerToOrSubject =
  /^\s*\*?\s*(?:to|cc|subject|an|betreff|objet|收件人|抄送|主题|主旨|主題|收件者)\s*\*?\s*[:：]/i;

const signatureDelimiter = /^--\s?$/;

/** Footers phones and webmail add under a reply ("Sent from my iPhone", "发自我的iPhone", …). */
const deviceFooter =
  /^\s*(?:sent from (?:my|mail|outlook|yahoo)|get outlook for|发自我的|发自网易邮箱|发自\s*(?:qq|网易|手机)|从我的\s*\S+\s*发送|來自我的|寄自我的|来自\s*\S{1,20}\s*(?:客户端|手机|邮箱)).{0,60}$/i;

const isQuoted = (line: string) => /^\s*>/.test(line);
const isBlank = (line: string) => line.trim() === '';

/**
 * The new part of a reply: quoted history and the signature removed, so the stored message says only
 * what the customer wrote this time. Inline answers (quotes interleaved with new text) are kept whole,
 * since cutting them would lose what was said. Never returns an empty string for a non-empty input: a
 * message that is all quote is kept as it came.
 */
export function stripQuotedReply(text: string): string {
  const original = text.replace(/\r\n?/g, '\n').trim();
  if (!original) return '';
  let lines = original.split('\n');

  const cut = historyStart(lines);
  if (cut !== null) lines = lines.slice(0, cut);
  lines = dropSignature(lines);
  lines = dropTrailingQuote(lines);

  const reply = lines.join('\n').trim();
  return reply || original;
}

/** Where the pasted or quoted history begins, if there is new text above it. */
function historyStart(lines: string[]): number | null {
  for (let i = 0; i < lines.length; i++) {
    const contentAbove = lines.slice(0, i).some((l) => !isBlank(l) && !isQuoted(l));
    if (!contentAbove) continue;

    if (separator.test(lines[i]!)) return i;
    if (headerFrom.test(lines[i]!) && isHeaderBlock(lines, i)) return backOverRule(lines, i);

    const span = attributionSpan(lines, i);
    if (span && !isInlineReply(lines, i + span)) return i;
  }
  return null;
}

/** A From line followed, within a few lines, by a Sent/Date line and a To/Subject line. */
function isHeaderBlock(lines: string[], from: number): boolean {
  const next = lines.slice(from + 1, from + 7);
  return next.some((l) => headerSent.test(l)) && next.some((l) => headerToOrSubject.test(l));
}

/** Outlook draws a rule (`____`) or a separator above its header block; cut above that too. */
function backOverRule(lines: string[], at: number): number {
  let i = at;
  while (i > 0 && (isBlank(lines[i - 1]!) || /^\s*[-_=—]{5,}\s*$/.test(lines[i - 1]!))) i--;
  return i;
}

/** The attribution line at `i` (1 line, or 2-3 when the client wrapped it), as a line count. */
function attributionSpan(lines: string[], i: number): number {
  for (let span = 1; span <= 3 && i + span <= lines.length; span++) {
    const joined = lines
      .slice(i, i + span)
      .map((l) => l.trim())
      .join(' ');
    if (attributionEn.test(joined) || attributionZh.test(joined)) return span;
  }
  return 0;
}

/** Quoted lines followed by new text again: someone answering point by point. */
function isInlineReply(lines: string[], from: number): boolean {
  let seenQuote = false;
  for (const line of lines.slice(from)) {
    if (signatureDelimiter.test(line)) return false;
    if (isQuoted(line)) seenQuote = true;
    else if (!isBlank(line) && seenQuote) return true;
    else if (!isBlank(line)) return false; // unmarked history straight after the attribution
  }
  return false;
}

function dropSignature(lines: string[]): string[] {
  let out = lines;
  const delimiter = out.findIndex((l, i) => i > 0 && signatureDelimiter.test(l));
  if (delimiter > 0) out = out.slice(0, delimiter);
  let last = lastContentIndex(out);
  while (last > 0 && deviceFooter.test(out[last]!)) {
    out = out.slice(0, last);
    last = lastContentIndex(out);
  }
  return out;
}

/** A quote block at the very end (bottom of a top-posted reply), with the attribution above it. */
function dropTrailingQuote(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && (isBlank(lines[end - 1]!) || isQuoted(lines[end - 1]!))) end--;
  if (end === lines.length) return lines;
  for (let span = 1; span <= 3 && end - span >= 0; span++) {
    if (attributionSpan(lines, end - span) === span) {
      end -= span;
      break;
    }
  }
  return lines.slice(0, end);
}

function lastContentIndex(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (!isBlank(lines[i]!)) return i;
  return -1;
}
