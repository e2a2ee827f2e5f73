import * as z from 'zod';
import { MailAuth } from './mail-auth.ts';

/** A mailbox as written in a header: `name` is decoded (RFC 2047) and may be empty. */
export const EmailAddress = z.object({
  address: z.string().min(3).max(320),
  name: z.string().max(500),
});
export type EmailAddress = z.infer<typeof EmailAddress>;

/** One attached or inline part, with its bytes kept for the upload to S3 that follows parsing. */
export const EmailAttachment = z.object({
  /** Safe to use in a storage key: no path separators or control characters, never empty. */
  filename: z.string().min(1).max(255),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  /** Without angle brackets; what `cid:` links in the HTML refer to. */
  contentId: z.string().nullable(),
  /** Shown in the body (an embedded image) rather than offered as a file. */
  inline: z.boolean(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  content: z.instanceof(Buffer),
});
export type EmailAttachment = z.infer<typeof EmailAttachment>;

/** The headers intake decisions depend on, decoded, as the sender wrote them (or null when absent). */
export const EmailHeaders = z.object({
  autoSubmitted: z.string().nullable(),
  precedence: z.string().nullable(),
  returnPath: z.string().nullable(),
  xAutoreply: z.string().nullable(),
  xAutorespond: z.string().nullable(),
  /** Exchange's request not to be answered automatically (`All`, `OOF`, `AutoReply`, …). */
  xAutoResponseSuppress: z.string().nullable(),
  listId: z.string().nullable(),
  listUnsubscribe: z.string().nullable(),
  threadIndex: z.string().nullable(),
  threadTopic: z.string().nullable(),
  /** The top-level media type, e.g. `multipart/report`. */
  contentType: z.string(),
  /** `report-type` of a `multipart/report`, e.g. `delivery-status` for a bounce. */
  reportType: z.string().nullable(),
});
export type EmailHeaders = z.infer<typeof EmailHeaders>;

/** What a delivery-status report (a bounce) says about the message it returns. */
export const BounceReport = z.object({
  action: z.string().nullable(),
  status: z.string().nullable(),
  finalRecipient: z.string().nullable(),
  /** The Message-ID of the returned message, when the report carries its headers. */
  originalMessageId: z.string().nullable(),
});
export type BounceReport = z.infer<typeof BounceReport>;

/**
 * An inbound e-mail as intake sees it: decoded, charset-independent, with everything the threading,
 * loop-protection and idempotency decisions need. Message ids are kept without angle brackets.
 */
export const InboundEmail = z.object({
  messageId: z.string().min(1).nullable(),
  /** Usually one id; RFC 5322 allows several. */
  inReplyTo: z.array(z.string().min(1)),
  /** Oldest first, as in the header. */
  references: z.array(z.string().min(1)),
  subject: z.string(),
  from: EmailAddress.nullable(),
  replyTo: z.array(EmailAddress),
  to: z.array(EmailAddress),
  cc: z.array(EmailAddress),
  /** ISO-8601 from the Date header; null when absent or unreadable. */
  date: z.string().nullable(),
  /** The plain-text body; HTML-only mail is turned into text. Empty when the message has no text. */
  text: z.string(),
  attachments: z.array(EmailAttachment),
  headers: EmailHeaders,
  bounce: BounceReport.nullable(),
  /**
   * SPF, DKIM and DMARC as the receiving server found them (SES's receipt in AWS; the topmost
   * Authentication-Results header locally); absent or null when unknown.
   */
  auth: MailAuth.nullable().optional(),
  raw: z.object({
    size: z.number().int().nonnegative(),
    /**
     * SHA-256 of the body and the headers a relay does not touch (From, To, Cc, Subject, Date): the
     * same message delivered twice hashes the same even when each delivery adds its own Received lines.
     */
    contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
});
export type InboundEmail = z.infer<typeof InboundEmail>;

/** Compares addresses the way mail systems do in practice: case-insensitively. */
export const sameAddress = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
