import * as z from 'zod';
import { DomainError, validationError } from '../domain/errors.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import { ticketNotFound } from '../domain/ticket/ticket.errors.ts';
import type { RouteHeader } from './route.ts';

/** The version an `If-Match` header names (`"3"`, `W/"3"` or `3`); undefined when absent or `*`. */
export function expectedVersion(headers: Record<string, string>): number | undefined {
  const raw = headers['if-match']?.trim();
  if (!raw || raw === '*') return undefined;
  const match = raw.match(/^(?:W\/)?"?(\d{1,12})"?$/);
  if (!match) {
    throw validationError('If-Match must be the ETag of the ticket, e.g. "3"', [
      { path: 'If-Match', message: 'Expected an ETag like "3"', code: 'invalid_format' },
    ]);
  }
  return Number(match[1]);
}

export const etag = (ticket: Pick<Ticket, 'version'>) => `"${ticket.version}"`;

/** `If-Match` as routes that read it (`expectedVersion`) document it. */
export const ifMatchHeader: RouteHeader = {
  name: 'If-Match',
  description:
    'The ETag of the version the change is based on (e.g. "3"); a stale one is a 412. Without it the ' +
    'change applies to the current version.',
};

/** The `ETag` response header, as routes that send it document it. */
export const etagHeader = { ETag: 'The version, e.g. "3": send it back as If-Match' } as const;

const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces');

/** `Idempotency-Key` as routes that read it (`idempotencyKey`) document it. */
export const idempotencyKeyHeader: RouteHeader = {
  name: 'Idempotency-Key',
  description:
    'Up to 255 printable ASCII characters without spaces; a retry with the same key and body answers ' +
    'with the ticket it created (header Idempotent-Replayed: true) instead of creating another, the same ' +
    'key with another body is a 422.',
};

export function idempotencyKey(headers: Record<string, string>): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(raw.trim());
  if (!parsed.success) {
    throw new DomainError('invalid', 'REQUEST.INVALID', 'The Idempotency-Key header is not valid', {
      fields: [{ path: 'Idempotency-Key', message: parsed.error.issues[0]?.message ?? 'Invalid' }],
    });
  }
  return parsed.data;
}

const idPattern = /^[0-9A-Za-z_-]{1,64}$/;

/** A ticket id from the path; a malformed one cannot exist, so it is a 404 like any unknown id. */
export function ticketIdParam(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!idPattern.test(id)) throw ticketNotFound(id.slice(0, 64));
  return id;
}

/** The ETag of a configuration document: its version. */
export const configEtag = (record: { version: number }) => `"${record.version}"`;
