import { createHash } from 'node:crypto';
import { convert as htmlToText } from 'html-to-text';
import libmime from 'libmime';
import {
  type AddressObject,
  type Attachment,
  type HeaderLines,
  type EmailAddress as ParsedAddress,
  type ParsedMail,
  simpleParser,
} from 'mailparser';
import type { DomainError } from '#shared/domain/errors.ts';
import {
  type BounceReport,
  type EmailAddress,
  type EmailAttachment,
  type EmailHeaders,
  InboundEmail,
} from '#shared/domain/intake/inbound-email.ts';
import { emailTooLarge, unparseableEmail } from '#shared/domain/intake/intake.errors.ts';
import { type MailAuth, parseAuthenticationResults } from '#shared/domain/intake/mail-auth.ts';
import { transcodeUnlabelledHeaders } from './header-charset.ts';

/** SES accepts inbound messages up to 40 MB, headers included. */
export const defaultMaxEmailBytes = 40 * 1024 * 1024;

export interface ParseEmailOptions {
  /** Larger messages are rejected with INTAKE.EMAIL_TOO_LARGE before parsing. */
  maxBytes?: number;
  /**
   * The envelope sender (SMTP MAIL FROM; SES gives it as `mail.source`), used as the sender when the
   * message has no From, Sender or Reply-To header.
   */
  envelopeFrom?: string;
  /** SPF/DKIM/DMARC verdicts the receiving service reported (SES's receipt): kept as the message's. */
  authentication?: MailAuth | null;
  /**
   * Read the verdicts from the topmost `Authentication-Results` header instead: only where the server
   * that wrote it is the one handing the message over (the local runtime's dev route), since a sender
   * can write that header itself.
   */
  authenticationFromHeader?: boolean;
}

export type EmailParseResult = { ok: true; email: InboundEmail } | { ok: false; error: DomainError };

/**
 * Parses one raw RFC 822 message with mailparser into a validated InboundEmail. Never throws: input
 * that is not a message at all (empty, binary noise, a header section the parser gives up on) comes
 * back as a typed rejection (`INTAKE.UNPARSEABLE_EMAIL`, `INTAKE.EMAIL_TOO_LARGE`). A message missing
 * parts (no From, no Subject, no body) still parses; deciding whether it can become a ticket is
 * intake's job.
 */
export async function parseEmail(
  raw: Buffer | Uint8Array | string,
  options: ParseEmailOptions = {},
): Promise<EmailParseResult> {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
  const limit = options.maxBytes ?? defaultMaxEmailBytes;
  if (bytes.length > limit) return { ok: false, error: emailTooLarge(bytes.length, limit) };
  if (bytes.length === 0 || bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a)) {
    return { ok: false, error: unparseableEmail('the message is empty') };
  }

  // Raw 8-bit header bytes in a legacy charset (no RFC 2047 label) are made UTF-8 first; the parser
  // would read them as UTF-8 and turn them into replacement characters.
  const readable = transcodeUnlabelledHeaders(bytes).bytes;
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(readable, {
      keepCidLinks: true,
      checksumAlgo: 'sha256',
      skipTextToHtml: true,
    });
  } catch (error) {
    return { ok: false, error: unparseableEmail(errorMessage(error), error) };
  }
  if (!hasPlausibleHeaders(parsed.headerLines)) {
    return { ok: false, error: unparseableEmail('the header section is not RFC 822 headers') };
  }

  try {
    const email = toInboundEmail(parsed, readable, options);
    return { ok: true, email: InboundEmail.parse({ ...email, raw: { ...email.raw, size: bytes.length } }) };
  } catch (error) {
    return { ok: false, error: unparseableEmail(errorMessage(error), error) };
  }
}

function toInboundEmail(parsed: ParsedMail, bytes: Buffer, options: ParseEmailOptions): InboundEmail {
  const lines = parsed.headerLines;
  const contentType = parsed.headers.get('content-type') as
    | { value?: string; params?: Record<string, string> }
    | undefined;
  const headers: EmailHeaders = {
    autoSubmitted: rawHeader(lines, 'auto-submitted'),
    precedence: rawHeader(lines, 'precedence'),
    // `<>` (the null sender of a bounce) is kept as '' so loop protection can see it.
    returnPath: rawHeader(lines, 'return-path')?.replace(/^<\s*|\s*>$/g, '') ?? null,
    xAutoreply: rawHeader(lines, 'x-autoreply'),
    xAutorespond: rawHeader(lines, 'x-autorespond'),
    xAutoResponseSuppress: rawHeader(lines, 'x-auto-response-suppress'),
    listId: rawHeader(lines, 'list-id'),
    listUnsubscribe: rawHeader(lines, 'list-unsubscribe'),
    threadIndex: rawHeader(lines, 'thread-index')?.replace(/\s+/g, '') || null,
    threadTopic: rawHeader(lines, 'thread-topic'),
    contentType: (contentType?.value ?? 'text/plain').toLowerCase(),
    reportType: contentType?.params?.['report-type']?.toLowerCase() ?? null,
  };

  const from =
    firstAddress(addressList(parsed.headers.get('from'))) ??
    firstAddress(addressList(parsed.headers.get('sender'))) ??
    firstAddress(addressList(parsed.replyTo)) ??
    (options.envelopeFrom && isAddress(options.envelopeFrom)
      ? { address: options.envelopeFrom.trim(), name: '' }
      : null);
  const text = bodyText(parsed);
  const attachments = parsed.attachments.map(toAttachment);

  const email: InboundEmail = {
    messageId: messageIds(rawHeader(lines, 'message-id'))[0] ?? null,
    inReplyTo: messageIds(rawHeader(lines, 'in-reply-to')),
    references: messageIds(rawHeader(lines, 'references')),
    subject: cleanLine(parsed.subject ?? ''),
    from,
    replyTo: addressList(parsed.replyTo),
    to: addressList(parsed.to),
    cc: addressList(parsed.cc),
    date: isoDate(rawHeader(lines, 'date')),
    text,
    attachments,
    headers,
    bounce: null,
    auth:
      options.authentication ?? (options.authenticationFromHeader ? authenticationFromHeader(lines) : null),
    raw: { size: bytes.length, contentHash: contentHash(lines, bytes) },
  };
  email.bounce = isDeliveryReport(email) ? bounceReport(text, parsed.attachments) : null;
  return email;
}

// --- headers -------------------------------------------------------------------------------------

/** A field name is printable US-ASCII without a colon (RFC 5322 §2.2); noise fails this quickly. */
function hasPlausibleHeaders(lines: HeaderLines): boolean {
  const keyed = lines.filter((l) => l.key);
  if (keyed.length === 0) return true; // no headers but a body: parse it; intake rejects what it can't use
  return keyed.some((l) => /^[\x21-\x39\x3b-\x7e]+$/.test(l.key));
}

/** The unfolded, RFC 2047-decoded value of the first `key` header, or null when absent or blank. */
function rawHeader(lines: HeaderLines, key: string): string | null {
  const line = lines.find((l) => l.key === key)?.line;
  if (line === undefined) return null;
  const value = line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
  if (!value) return null;
  try {
    return cleanLine(libmime.decodeWords(value)) || null;
  } catch {
    return value;
  }
}

/** The topmost Authentication-Results header's verdicts (the one the receiving server prepended). */
function authenticationFromHeader(lines: HeaderLines): MailAuth | null {
  const value = rawHeader(lines, 'authentication-results');
  return value ? parseAuthenticationResults(value) : null;
}

/** Message ids without angle brackets; bare ids (no brackets, as some mailers write) are accepted. */
export function messageIds(value: string | null): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  const ids = bracketed.length ? bracketed : value.split(/[\s,]+/).filter((t) => t.includes('@'));
  return [...new Set(ids.map((id) => id.trim()).filter((id) => id.length > 0 && id.length <= 998))];
}

function isoDate(value: string | null): string | null {
  if (!value) return null;
  const date = new Date(value.replace(/\s+\([^)]*\)\s*$/, ''));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** One header line's text: no BOM, no control characters (folding already undone); inner spacing kept. */
const cleanLine = (value: string) => replaceControls(value.replace(/^\uFEFF/, ''), ' ').trim();

/** C0 controls and DEL, which have no place in a header value or a file name. */
const replaceControls = (value: string, by: string) =>
  Array.from(value, (c) => {
    const code = c.codePointAt(0)!;
    return code < 0x20 || code === 0x7f ? by : c;
  }).join('');

// --- addresses -----------------------------------------------------------------------------------

const isAddress = (value: string) => /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.?[^\s@<>()",;:]*$/.test(value.trim());

function addressList(value: unknown): EmailAddress[] {
  const objects = (Array.isArray(value) ? value : value ? [value] : []) as AddressObject[];
  const flat: ParsedAddress[] = [];
  const visit = (a: ParsedAddress) => (a.group ? a.group.forEach(visit) : flat.push(a));
  for (const object of objects) (object?.value ?? []).forEach(visit);
  return flat.flatMap((a) => {
    const recovered = recoverAddress(a);
    return recovered ? [recovered] : [];
  });
}

/**
 * mailparser re-reads a display name as an address only when it was a base64 encoded-word holding a
 * bracketed address (and deliberately never a bare one: RFC 2047 forbids encoded-words in an
 * addr-spec). A Q-encoded word such as `=?unknown-8bit?q?=22test=22_=3Ctest=40test.com=3E?=` comes
 * back as the name `"test" <test@test.com>` with no address; we apply mailparser's own rule to it
 * (bracketed addresses only), so the demisto fixture's sender is `test@test.com` as its source expects.
 */
function recoverAddress(a: ParsedAddress): EmailAddress | null {
  const name = cleanLine(a.name ?? '');
  const address = (a.address ?? '').trim();
  if (address && isAddress(address)) return { address, name: name.slice(0, 500) };
  const bracketed = /^(.*?)<([^<>\s]+@[^<>\s]+)>\s*$/.exec(name);
  if (!address && bracketed && isAddress(bracketed[2]!)) {
    return { address: bracketed[2]!, name: bracketed[1]!.replace(/^["'\s]+|["'\s]+$/g, '').slice(0, 500) };
  }
  return null;
}

const firstAddress = (list: EmailAddress[]) => list[0] ?? null;

// --- body ----------------------------------------------------------------------------------------

/**
 * The text part as the sender wrote it; for HTML-only mail, text made from the HTML (mailparser does
 * this itself only when the HTML is the root part, not inside multipart/related). Blockquotes become
 * `> ` lines, so quoted history in HTML replies is recognised downstream as in plain-text ones.
 */
function bodyText(parsed: ParsedMail): string {
  let text = typeof parsed.text === 'string' ? parsed.text : '';
  if (!text.trim() && typeof parsed.html === 'string' && parsed.html.trim()) {
    try {
      text = htmlToText(parsed.html, {
        wordwrap: false,
        selectors: [
          { selector: 'img', format: 'skip' },
          { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
          { selector: 'a[href^="mailto:"]', format: 'anchor', options: { ignoreHref: true } },
        ],
      });
    } catch {
      text = crudeHtmlText(parsed.html);
    }
  }
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replaceAll('\u0000', '')
    .replace(/\s+$/, '');
}

/** Last resort when the converter fails: tags dropped, the common entities decoded, nothing lost silently. */
function crudeHtmlText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|[a-z]+);/gi, (m, e: string) =>
      e.startsWith('#')
        ? Number(e.slice(1)) <= 0x10ffff
          ? String.fromCodePoint(Number(e.slice(1)))
          : m
        : (entities[e.toLowerCase()] ?? m),
    );
}

// --- attachments ---------------------------------------------------------------------------------

function toAttachment(a: Attachment, index: number): EmailAttachment {
  const contentType = (a.contentType || 'application/octet-stream').toLowerCase();
  const contentId = a.cid ?? a.contentId?.replace(/^<|>$/g, '') ?? null;
  return {
    filename: safeFilename(a.filename, contentType, index),
    contentType,
    size: a.content.length,
    contentId: contentId || null,
    inline: a.contentDisposition === 'inline' || (a.related === true && !!contentId),
    sha256: createHash('sha256').update(a.content).digest('hex'),
    content: a.content,
  };
}

/**
 * A name safe to use in a storage key and a download header: the last path segment only (m0124 names
 * its part `1234/../../1234.txt`), no control characters, no leading dots, at most 255 characters with
 * the extension kept; `attachment-N.ext` when nothing is left.
 */
export function safeFilename(name: string | undefined, contentType: string, index: number): string {
  const segment = replaceControls((name ?? '').normalize('NFC'), '')
    .split(/[\\/]/)
    .pop()!
    .replace(/^[.\s]+/, '')
    .trim();
  const fallbackExt = contentType.includes('/') ? libmime.detectExtension(contentType) : 'bin';
  const base = segment || `attachment-${index + 1}.${fallbackExt || 'bin'}`;
  if (base.length <= 255) return base;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : '';
  return base.slice(0, 255 - ext.length) + ext;
}

// --- bounces -------------------------------------------------------------------------------------

const isDeliveryReport = (email: InboundEmail) =>
  (email.headers.contentType === 'multipart/report' && email.headers.reportType === 'delivery-status') ||
  /^(mailer-daemon|postmaster)@/i.test(email.from?.address ?? '');

/** Reads the machine-readable part of a DSN (RFC 3464), which mailparser appends to the text. */
function bounceReport(text: string, attachments: Attachment[]): BounceReport {
  const field = (name: string) =>
    new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(text)?.[1]?.trim().slice(0, 500) ?? null;
  const returned = attachments.find((a) => /^(message\/rfc822|text\/rfc822-headers)$/i.test(a.contentType));
  const returnedHeaders = returned?.content.toString('latin1').split(/\r?\n\r?\n/, 1)[0] ?? '';
  const originalId = /^message-id:\s*(.*(?:\r?\n[ \t].*)*)/im.exec(returnedHeaders)?.[1] ?? null;
  return {
    action: field('Action')?.toLowerCase() ?? null,
    status: /^Status:\s*(\d\.\d{1,3}\.\d{1,3})/im.exec(text)?.[1] ?? null,
    finalRecipient: field('Final-Recipient')?.replace(/^rfc822;\s*/i, '') ?? null,
    originalMessageId: messageIds(originalId)[0] ?? null,
  };
}

// --- identity ------------------------------------------------------------------------------------

/**
 * Hashes the body and the headers a relay leaves alone, so a redelivery that gained Received or
 * X-SES-* lines still hashes the same. Used as the idempotency key when there is no Message-ID.
 */
function contentHash(lines: HeaderLines, bytes: Buffer): string {
  const hash = createHash('sha256');
  for (const key of ['from', 'to', 'cc', 'subject', 'date']) {
    hash.update(`${lines.find((l) => l.key === key)?.line.trim() ?? ''}\n`);
  }
  hash.update(bytes.subarray(bodyOffset(bytes)));
  return hash.digest('hex');
}

function bodyOffset(bytes: Buffer): number {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return bytes.length;
  if (crlf === -1) return lf + 2;
  if (lf === -1) return crlf + 4;
  return crlf < lf ? crlf + 4 : lf + 2;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
