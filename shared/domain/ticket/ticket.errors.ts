import { DomainError } from '../errors.ts';
import type { Status } from './lifecycle.ts';

export const ticketNotFound = (id: string) =>
  new DomainError('not_found', 'TICKET.NOT_FOUND', `Ticket ${id} was not found`, { ticketId: id });

export const illegalTransition = (from: Status, to: Status, allowed: Status[]) =>
  new DomainError(
    'conflict',
    'TICKET.ILLEGAL_TRANSITION',
    `A ${from} ticket cannot move to ${to}; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`,
    { from, to, allowed },
  );

export const transitionForbidden = (from: Status, to: Status, roles: readonly string[]) =>
  new DomainError(
    'forbidden',
    'TICKET.TRANSITION_FORBIDDEN',
    `Moving a ticket from ${from} to ${to} needs one of the roles: ${roles.join(', ')}`,
    { from, to, roles },
  );

export const versionMismatch = (id: string, expected: number, actual: number) =>
  new DomainError(
    'precondition_failed',
    'TICKET.VERSION_MISMATCH',
    `Ticket ${id} is at version ${actual}, not ${expected}; reload it and try again`,
    { ticketId: id, expected, actual },
  );

export const concurrentUpdate = (id: string) =>
  new DomainError(
    'conflict',
    'TICKET.CONCURRENT_UPDATE',
    `Ticket ${id} is being changed by others; try again`,
    {
      ticketId: id,
    },
  );

export const ticketClosed = (id: string) =>
  new DomainError('conflict', 'TICKET.CLOSED', `Ticket ${id} is closed; open a new ticket instead`, {
    ticketId: id,
  });

export const idempotencyKeyReused = (key: string) =>
  new DomainError(
    'unprocessable',
    'IDEMPOTENCY.KEY_REUSED',
    'This Idempotency-Key was already used with a different request body',
    { idempotencyKey: key },
  );
