import * as z from 'zod';
import type { Actor } from '../domain/actor.ts';
import { defaultFieldPolicy, photoTypes } from '../domain/field/visit.ts';
import type { AttachmentRecord } from '../domain/intake/intake.ports.ts';
import {
  attachmentIdOf,
  attachmentNotFound,
  attachmentsUnavailable,
  checkUpload,
  defaultAttachmentLimits,
} from '../domain/ticket/attachment-policy.ts';
import { ticketClosed } from '../domain/ticket/ticket.errors.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { loadVisible } from '../use-cases/visibility.ts';
import type { ChannelDeps } from './deps.ts';

/** How long upload and download links stay valid. */
export const linkSeconds = { upload: 15 * 60, download: 5 * 60 } as const;

/** An attachment as staff see it in the ticket view. */
export const AttachmentView = z.object({
  id: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  channel: z.string(),
  at: z.string(),
  inline: z.boolean(),
  status: z.enum(['pending', 'stored']),
  uploadedBy: z.string().nullable(),
  messageId: z.string().nullable(),
});
export type AttachmentView = z.infer<typeof AttachmentView>;

const viewOf = (r: AttachmentRecord): AttachmentView => ({
  id: attachmentIdOf(r.sha256, r.filename),
  filename: r.filename,
  contentType: r.contentType,
  size: r.size,
  channel: r.channel,
  at: r.at,
  inline: r.inline,
  status: r.status ?? 'stored',
  uploadedBy: r.uploadedBy ?? null,
  messageId: r.messageId ?? null,
});

type Deps = Pick<TicketDeps, 'tickets' | 'clock'> & { channels: ChannelDeps };

const filesOf = (deps: Deps) => {
  if (!deps.channels.files) throw attachmentsUnavailable();
  return deps.channels.files;
};

/** The ticket's attachments (e-mail, portal and staff uploads), oldest first; pending uploads too. */
export async function listAttachments(ticketId: string, actor: Actor, deps: Deps) {
  await loadVisible(ticketId, actor, deps);
  return (await deps.channels.attachmentRecords.list(ticketId)).map(viewOf);
}

/** A short-lived download link (presigned S3 GET in AWS, a signed local link locally). */
export async function attachmentDownload(ticketId: string, attachmentId: string, actor: Actor, deps: Deps) {
  await loadVisible(ticketId, actor, deps);
  const files = filesOf(deps);
  const record = (await deps.channels.attachmentRecords.list(ticketId)).find(
    (r) => attachmentIdOf(r.sha256, r.filename) === attachmentId,
  );
  if (!record) throw attachmentNotFound(attachmentId);
  if (record.status === 'pending' && (await files.sizeOf(record.storageKey)) === null) {
    throw attachmentNotFound(attachmentId);
  }
  const url = await files.downloadUrl({
    storageKey: record.storageKey,
    filename: record.filename,
    contentType: record.contentType,
    expiresInSeconds: linkSeconds.download,
  });
  const expiresAt = new Date(Date.now() + linkSeconds.download * 1000).toISOString();
  return { attachment: viewOf(record), url, expiresAt };
}

export const UploadRequest = z.object({
  filename: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(
      (n) => ![...n].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20),
      'A file name without slashes or control characters',
    ),
  contentType: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'A MIME type such as application/pdf'),
  size: z.int().positive(),
  /** The file's SHA-256, hex: the upload link accepts only these bytes. */
  sha256: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f]{64}$/, '64 hexadecimal digits'),
  /** `visit-photo`: a field visit's photo (docs/field-service.md): JPEG, PNG or WebP, under the photo limit. */
  purpose: z.enum(['visit-photo']).optional(),
});
export type UploadRequest = z.infer<typeof UploadRequest>;

/**
 * Starts a staff upload: checks the file against the limits (413 too large, 415 a refused type or a
 * program), records it as pending and answers with a link to PUT the bytes to (presigned in AWS,
 * signed locally). A reply or note then names the attachment id; only then is it `stored`.
 */
export async function startUpload(ticketId: string, request: UploadRequest, actor: Actor, deps: Deps) {
  const ticket = await loadVisible(ticketId, actor, deps);
  if (ticket.status === 'closed') throw ticketClosed(ticketId);
  checkUpload(
    request,
    request.purpose === 'visit-photo'
      ? {
          maxBytes: (deps.channels.field ?? defaultFieldPolicy).photoMaxBytes,
          allowedTypes: [...photoTypes],
        }
      : (deps.channels.attachmentLimits ?? defaultAttachmentLimits),
  );
  const files = filesOf(deps);
  const id = attachmentIdOf(request.sha256, request.filename);
  const existing = (await deps.channels.attachmentRecords.list(ticketId)).find(
    (r) => attachmentIdOf(r.sha256, r.filename) === id,
  );
  const storageKey = existing?.storageKey ?? files.keyFor({ ticketId, ...request });
  if (existing && (existing.status ?? 'stored') === 'stored') {
    // The same file is on the ticket already: nothing to upload.
    return { attachment: viewOf(existing), upload: null, expiresAt: null };
  }
  const record: AttachmentRecord = {
    ticketId,
    filename: request.filename,
    contentType: request.contentType,
    size: request.size,
    sha256: request.sha256,
    inline: false,
    storageKey,
    channel: 'api',
    at: deps.clock.now().toISOString(),
    status: 'pending',
    uploadedBy: actor.id,
  };
  await deps.channels.attachmentRecords.add([record]);
  const upload = await files.uploadUrl({
    storageKey,
    contentType: request.contentType,
    size: request.size,
    sha256: request.sha256,
    expiresInSeconds: linkSeconds.upload,
  });
  const expiresAt = new Date(Date.now() + linkSeconds.upload * 1000).toISOString();
  return { attachment: viewOf(record), upload, expiresAt };
}
