import type { FieldPolicy } from '../domain/field/visit.ts';
import type {
  AlertIndex,
  AttachmentFiles,
  AttachmentRecords,
  AttachmentStore,
  ChannelSettings,
  ExternalRefs,
  MailThreads,
  RateCounter,
  WebhookSecrets,
  WebhookSources,
} from '../domain/intake/intake.ports.ts';
import type { IntakeLedger } from '../domain/intake/intake-ledger.ts';
import type { ThreadLookups } from '../domain/intake/threading.ts';
import type { PortalConfigStore } from '../domain/portal/portal-config.ts';
import type { AttachmentLimits } from '../domain/ticket/attachment-policy.ts';
import type { TicketDeps } from '../use-cases/deps.ts';

/** Everything the channels (e-mail, portal, webhooks, events, customer mail) need beyond TicketDeps. */
export interface ChannelDeps {
  ledger: IntakeLedger;
  lookups: ThreadLookups;
  threads: MailThreads;
  rates: RateCounter;
  alerts: AlertIndex;
  externalRefs: ExternalRefs;
  attachmentRecords: AttachmentRecords;
  attachments: AttachmentStore;
  webhookSources: WebhookSources;
  webhookSecrets: WebhookSecrets;
  settings: ChannelSettings;
  /** Staff attachments: upload and download links (absent where a function keeps no attachments). */
  files?: AttachmentFiles;
  /** What staff may upload (ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES). */
  attachmentLimits?: AttachmentLimits;
  /** Field visits: the check-in radius, resolve on check-out, photo and signature limits (docs/field-service.md). */
  field?: FieldPolicy;
  /** The portal's branding, legal text and time zone (`/config/portal`); defaults where absent. */
  portalConfig?: PortalConfigStore;
}

/** Ticket use-case dependencies plus the channels'. */
export type ChannelTicketDeps = TicketDeps & { channels: ChannelDeps };
