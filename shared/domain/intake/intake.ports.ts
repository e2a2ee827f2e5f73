import type { AlertTicket, WebhookSourceConfig } from './webhook.ts';

/**
 * The ports intake needs beyond the ticket store and the ledger: counters, the mail thread state, the
 * alert and external-reference indexes, attachments and their records, webhook sources and secrets,
 * and the mail settings. Adapters: dynamo-intake-store.ts (the table), S3 and the secret stores in AWS,
 * files under the data dir locally.
 */

/** Counts hits per subject over a sliding window (per-sender mail limits, portal abuse limits). */
export interface RateCounter {
  /** Records one hit for `subject` in `scope` and returns the hits in the last `windowMinutes`, it included. */
  hit(scope: string, subject: string, now: Date, windowMinutes: number): Promise<number>;
}

/** What the mail side of a ticket remembers: who is on the thread and which Message-IDs it has. */
export interface MailThreadState {
  /** Addresses besides the customer (CC'd colleagues, third parties who replied), lower-cased. */
  participants: string[];
  /** The first message of the thread (the customer's mail that opened it, or our first mail). */
  firstMessageId: string | null;
  /** The customer's (or a participant's) latest Message-ID: what our next mail is In-Reply-To. */
  lastInboundMessageId: string | null;
  /** Every Message-ID on the thread, oldest first (inbound and ours). */
  messageIds: string[];
  /** The Outlook conversation root the customer's client uses, if it sent one. */
  threadIndexRoot: string | null;
}

/** Threading state per ticket, and the indexes `ThreadLookups` reads. */
export interface MailThreads {
  state(ticketId: string): Promise<MailThreadState>;
  /** Indexes a new ticket for replies: its Thread-Index root and its (topic, customer) pair. */
  indexOpened(
    ticketId: string,
    index: { threadIndexRoot: string | null; topic: string; customerEmail: string; at: Date },
  ): Promise<void>;
  /** Adds an inbound Message-ID (may be null) and participants to the thread. */
  recordInbound(ticketId: string, messageId: string | null, participants: readonly string[]): Promise<void>;
  /** Records a mail we are about to send, so a reply naming its Message-ID finds the ticket. */
  recordOutbound(
    ticketId: string,
    ours: { messageId: string; headerId: string; kind: string },
  ): Promise<void>;
  /** Records the id the provider really sent the mail with (SES rewrites Message-ID). */
  recordProviderId(providerMessageId: string, ticketId: string, messageId: string): Promise<void>;
}

/** The most recent ticket per alert key (`alertKey(source, fingerprint)`). */
export interface AlertIndex {
  latestByKey(key: string): Promise<AlertTicket | null>;
  /** Points the key at `ticketId` unless a newer ticket already holds it. */
  setLatest(key: string, ticketId: string, createdAt: string): Promise<void>;
}

/** Tickets by the producing system's own reference (`ticket.create.requested`'s `externalRef`). */
export interface ExternalRefs {
  find(system: string, id: string): Promise<string | null>;
  put(system: string, id: string, ticketId: string): Promise<void>;
}

/** An attachment or inline image kept with a ticket. */
export interface AttachmentRecord {
  ticketId: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  inline: boolean;
  /** Where the bytes are: an S3 key in AWS, a path under the data dir locally. */
  storageKey: string;
  /** Which channel brought it (`email`, `web`, `api` for staff uploads). */
  channel: string;
  at: string;
  /** Staff uploads: `pending` until the bytes are there and a reply or note names it, then `stored`. */
  status?: 'pending' | 'stored';
  /** Staff uploads: who uploaded it, and the reply or note it belongs to. */
  uploadedBy?: string;
  messageId?: string;
}

/**
 * Links to attachment bytes for browsers (staff): presigned S3 URLs in AWS, signed URLs to the local
 * runtime locally. An upload link accepts exactly the declared size and SHA-256 (S3 checks the
 * checksum header it signs), so what lands is what was checked against the limits.
 */
export interface AttachmentFiles {
  /** Where a ticket's file with this SHA-256 and name is kept (the same key `AttachmentStore.put` uses). */
  keyFor(file: { ticketId: string; sha256: string; filename: string }): string;
  uploadUrl(file: {
    storageKey: string;
    contentType: string;
    size: number;
    sha256: string;
    expiresInSeconds: number;
  }): Promise<{ url: string; method: 'PUT'; headers: Record<string, string> }>;
  downloadUrl(file: {
    storageKey: string;
    filename: string;
    contentType: string;
    expiresInSeconds: number;
  }): Promise<string>;
  /** The stored object's size, or null when nothing is there yet. */
  sizeOf(storageKey: string): Promise<number | null>;
}

export interface AttachmentRecords {
  add(records: readonly AttachmentRecord[]): Promise<void>;
  list(ticketId: string): Promise<AttachmentRecord[]>;
}

/** Where attachment bytes go: S3 in AWS, the data dir locally. Puts are idempotent per (ticket, sha256, name). */
export interface AttachmentStore {
  put(file: {
    ticketId: string;
    filename: string;
    contentType: string;
    sha256: string;
    content: Buffer;
  }): Promise<{ storageKey: string }>;
}

/** Webhook sources and their secrets (SSM / Secrets Manager in AWS, the data dir locally). */
export interface WebhookSources {
  get(source: string): WebhookSourceConfig | null | Promise<WebhookSourceConfig | null>;
}

export interface WebhookSecrets {
  forSource(config: WebhookSourceConfig): Promise<readonly string[]>;
}

/** Mail and portal settings, read once per process. */
export interface ChannelSettings {
  /** The From of every mail to customers, e.g. `support@example.com` (verified in SES). */
  mailFrom: string;
  /** Display name on that From. */
  mailFromName: string;
  /** The domain of our Message-IDs (`<gd.…@domain>`). */
  messageIdDomain: string;
  /** Addresses that are us (the inbound support addresses): never participants, never CC'd. */
  ownAddresses: readonly string[];
  /** A customer reply this many days after resolution reopens; later, it opens a linked ticket. */
  reopenWindowDays: number;
  /** The portal's status page, linked from mails; null leaves the link out. */
  portalStatusUrl: string | null;
}
