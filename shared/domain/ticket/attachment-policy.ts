import { createHash } from 'node:crypto';
import * as z from 'zod';
import { DomainError } from '../errors.ts';

/**
 * What staff may upload (docs/collaboration.md, "Attachments"): a size limit and the content types
 * allowed, as patterns (`image/*`, `application/pdf`). Executables and scripts are refused by their
 * extension whatever type is claimed.
 */
export const AttachmentLimits = z.object({
  maxBytes: z
    .int()
    .positive()
    .max(5 * 1024 ** 3),
  allowedTypes: z.array(z.string().regex(/^[a-z]+\/([a-z0-9.+-]+|\*)$/)).min(1),
});
export type AttachmentLimits = z.infer<typeof AttachmentLimits>;

export const defaultAttachmentLimits: AttachmentLimits = {
  maxBytes: 10 * 1024 * 1024,
  allowedTypes: [
    'image/*',
    'application/pdf',
    'text/plain',
    'text/csv',
    'application/zip',
    'application/msword',
    'application/vnd.ms-excel',
    'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ],
};

/** Extensions of programs and scripts: never accepted, whatever the declared type. */
const executableExtensions = new Set([
  'exe',
  'msi',
  'bat',
  'cmd',
  'com',
  'scr',
  'pif',
  'cpl',
  'dll',
  'sys',
  'ps1',
  'psm1',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'hta',
  'jar',
  'sh',
  'bash',
  'zsh',
  'csh',
  'app',
  'dmg',
  'pkg',
  'deb',
  'rpm',
  'apk',
  'lnk',
  'reg',
  'svg',
]);

const extensionOf = (filename: string) => filename.toLowerCase().split('.').pop() ?? '';

const typeAllowed = (contentType: string, allowed: readonly string[]) =>
  allowed.some((pattern) =>
    pattern.endsWith('/*') ? contentType.startsWith(pattern.slice(0, -1)) : contentType === pattern,
  );

/**
 * Checks one upload against the limits: 413 when it is too large, 415 when its type (or extension) is
 * not accepted; each names the field and what is allowed.
 */
export function checkUpload(
  file: { filename: string; contentType: string; size: number },
  limits: AttachmentLimits,
): void {
  const contentType = file.contentType.toLowerCase().split(';')[0]!.trim();
  if (file.size > limits.maxBytes) {
    throw new DomainError(
      'too_large',
      'ATTACHMENT.TOO_LARGE',
      `The file is ${file.size} bytes; the limit is ${limits.maxBytes} bytes`,
      {
        fields: [{ path: 'size', message: `At most ${limits.maxBytes} bytes`, code: 'too_big' }],
        maxBytes: limits.maxBytes,
      },
    );
  }
  const extension = extensionOf(file.filename);
  if (executableExtensions.has(extension) || !typeAllowed(contentType, limits.allowedTypes)) {
    throw new DomainError(
      'unsupported_media',
      'ATTACHMENT.TYPE_REFUSED',
      executableExtensions.has(extension)
        ? `Programs and scripts (.${extension}) cannot be attached`
        : `Files of type ${contentType} cannot be attached`,
      {
        fields: [
          executableExtensions.has(extension)
            ? { path: 'filename', message: `.${extension} files are refused`, code: 'executable' }
            : { path: 'contentType', message: `${contentType} is not accepted`, code: 'type_refused' },
        ],
        allowedTypes: limits.allowedTypes,
      },
    );
  }
}

/** An attachment's id: stable for a (ticket's) file, from its SHA-256 and name (what the record is keyed by). */
export const attachmentIdOf = (sha256: string, filename: string) =>
  createHash('sha256').update(`${sha256}/${filename}`).digest('base64url').slice(0, 22);

export const attachmentNotFound = (id: string, path = 'attachmentId') =>
  new DomainError('not_found', 'ATTACHMENT.NOT_FOUND', `This ticket has no attachment ${id}`, {
    attachmentId: id,
    fields: [{ path, message: `No attachment ${id} on this ticket`, code: 'not_found' }],
  });

export const attachmentNotUploaded = (id: string, path = 'attachmentId') =>
  new DomainError(
    'conflict',
    'ATTACHMENT.NOT_UPLOADED',
    `The file of attachment ${id} has not been uploaded (in full) yet; upload it to its link first`,
    { attachmentId: id, fields: [{ path, message: 'Not uploaded yet', code: 'not_uploaded' }] },
  );

export const attachmentsUnavailable = () =>
  new DomainError('unprocessable', 'ATTACHMENT.UNAVAILABLE', 'This deployment keeps no staff attachments');
