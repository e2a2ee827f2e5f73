import type { InboundEmail } from './inbound-email.ts';

/**
 * Why a message was written by a machine:
 * - `bounce`: a delivery-status report, or mail from mailer-daemon / postmaster;
 * - `auto-reply`: an out-of-office or autoresponder (Auto-Submitted: auto-replied, X-Autoreply,
 *   X-Autorespond, or a subject such as "Automatic reply:" / "自动回复:");
 * - `bulk`: a mailing list, newsletter or generated notice (Precedence bulk/list/junk, List-Id,
 *   Auto-Submitted other than `no`).
 */
export type AutomatedKind = 'bounce' | 'auto-reply' | 'bulk';

export interface AutomatedVerdict {
  kind: AutomatedKind;
  /** The header or rule that decided, for the log and the audit trail. */
  reason: string;
}

const daemonSender = /^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;

/**
 * Subjects autoresponders use when they set no header (Exchange in some setups, many webmails). The
 * colon is required: "Out of office hours support" is a person asking something.
 */
const autoReplySubject =
  /^\s*(?:auto(?:matic)?[\s-]*(?:reply|response)|autoreply|auto|out of (?:the )?office|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática|automatyczna odpowiedź|自动回复|自動回覆|自動回复|自动答复|自動応答)\s*[:：]/i;

/**
 * Classifies machine-written mail (RFC 3834 and common practice). Bounces are checked first, since a
 * bounce often also carries Auto-Submitted.
 */
export function automatedVerdict(email: InboundEmail): AutomatedVerdict | null {
  const h = email.headers;
  if (h.contentType === 'multipart/report' && h.reportType === 'delivery-status') {
    return { kind: 'bounce', reason: 'content-type: multipart/report; report-type=delivery-status' };
  }
  if (daemonSender.test(email.from?.address ?? ''))
    return { kind: 'bounce', reason: 'sender is a mail daemon' };

  const autoSubmitted = headerToken(h.autoSubmitted);
  if (autoSubmitted === 'auto-replied') return { kind: 'auto-reply', reason: 'auto-submitted: auto-replied' };
  if (isSet(h.xAutoreply)) return { kind: 'auto-reply', reason: 'x-autoreply' };
  if (isSet(h.xAutorespond)) return { kind: 'auto-reply', reason: 'x-autorespond' };
  if (autoReplySubject.test(email.subject)) return { kind: 'auto-reply', reason: 'auto-reply subject' };
  // RFC 3834 §3.3: automatic responses go out with the null sender, as bounces do.
  if (h.returnPath === '') return { kind: 'auto-reply', reason: 'null return-path' };

  const precedence = headerToken(h.precedence);
  if (precedence === 'auto_reply') return { kind: 'auto-reply', reason: 'precedence: auto_reply' };

  if (autoSubmitted && autoSubmitted !== 'no')
    return { kind: 'bulk', reason: `auto-submitted: ${autoSubmitted}` };
  if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk') {
    return { kind: 'bulk', reason: `precedence: ${precedence}` };
  }
  if (h.listId) return { kind: 'bulk', reason: 'list-id' };
  return null;
}

/** Whether a machine wrote the message (see `automatedVerdict`). */
export const isAutomated = (email: InboundEmail) => automatedVerdict(email) !== null;

/** Per-sender limits over a sliding window. */
export interface SenderRatePolicy {
  windowMinutes: number;
  /** At this many messages in the window, the sender gets no more automatic replies. */
  autoReplyLimit: number;
  /** At this many, further messages are refused (INTAKE.SENDER_RATE_LIMITED): a loop or a flood. */
  intakeLimit: number;
}

export const defaultSenderRatePolicy: SenderRatePolicy = {
  windowMinutes: 60,
  autoReplyLimit: 5,
  intakeLimit: 60,
};

export type RateDecision = 'allow' | 'suppress_auto_reply' | 'reject';

/**
 * Decides from how many messages this sender sent in the window, this one included. An autoresponder
 * that sets none of the headers above still cannot loop with us for long: after `autoReplyLimit` we go
 * quiet, after `intakeLimit` we stop opening work.
 */
export function rateDecision(recentCount: number, policy: SenderRatePolicy): RateDecision {
  if (recentCount > policy.intakeLimit) return 'reject';
  if (recentCount > policy.autoReplyLimit) return 'suppress_auto_reply';
  return 'allow';
}

export interface AutoReplyDecision {
  send: boolean;
  reason: string;
}

/**
 * Whether we may answer this message automatically (an acknowledgement, a status notice): never a
 * machine, a list, a no-reply address, a sender who asked not to be (X-Auto-Response-Suppress), or one
 * over the rate limit.
 */
export function shouldAutoReply(email: InboundEmail, rate: RateDecision): AutoReplyDecision {
  const automated = automatedVerdict(email);
  if (automated) return { send: false, reason: `${automated.kind}: ${automated.reason}` };
  const address = email.from?.address ?? '';
  if (!address) return { send: false, reason: 'no sender address' };
  if (/^(?:no-?reply|do-?not-?reply|donotreply|bounces?)[+.@-]/i.test(address)) {
    return { send: false, reason: 'no-reply sender' };
  }
  const suppress = (email.headers.xAutoResponseSuppress ?? '').toLowerCase();
  if (/\b(?:all|oof|autoreply)\b/.test(suppress)) {
    return { send: false, reason: `x-auto-response-suppress: ${email.headers.xAutoResponseSuppress}` };
  }
  if (rate !== 'allow') return { send: false, reason: 'sender rate limit' };
  return { send: true, reason: 'a person wrote to us' };
}

/** The first token of a header, lower-cased: `Auto-Submitted: auto-replied (vacation)` → `auto-replied`. */
const headerToken = (value: string | null) =>
  value
    ?.trim()
    .split(/[\s;(]/, 1)[0]
    ?.toLowerCase() || null;

const isSet = (value: string | null) => !!value && !/^(?:no|false|0)$/i.test(value.trim());
