import type { AttachmentRecord } from '../domain/intake/intake.ports.ts';
import type { ChannelTicketDeps } from './deps.ts';

export interface IncomingFile {
  /** Already safe for a storage key (no path, no control characters). */
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  inline: boolean;
  content: Buffer;
}

/**
 * Keeps a message's attachments and inline images with its ticket: the bytes in the attachment store
 * (S3 in AWS), a record per file in the table. Both are keyed by ticket, SHA-256 and name, so storing
 * the same files again (a redelivery, a retry) changes nothing.
 */
export async function storeAttachments(
  ticketId: string,
  channel: 'email' | 'web',
  files: readonly IncomingFile[],
  deps: Pick<ChannelTicketDeps, 'channels' | 'clock' | 'logger'>,
): Promise<AttachmentRecord[]> {
  if (!files.length) return [];
  const at = deps.clock.now().toISOString();
  const records: AttachmentRecord[] = [];
  for (const file of files) {
    const { storageKey } = await deps.channels.attachments.put({
      ticketId,
      filename: file.filename,
      contentType: file.contentType,
      sha256: file.sha256,
      content: file.content,
    });
    records.push({
      ticketId,
      filename: file.filename,
      contentType: file.contentType,
      size: file.size,
      sha256: file.sha256,
      inline: file.inline,
      storageKey,
      channel,
      at,
    });
  }
  await deps.channels.attachmentRecords.add(records);
  deps.logger.info('attachments.stored', { ticketId, channel, count: records.length });
  return records;
}
