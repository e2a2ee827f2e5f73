import { DomainError, type FieldIssue } from '../errors.ts';

export const agentNotFound = (id: string) =>
  new DomainError('not_found', 'AGENT.NOT_FOUND', `Agent ${id} was not found`, { agentId: id });

export const agentAtCapacity = (id: string) =>
  new DomainError('conflict', 'AGENT.AT_CAPACITY', `Agent ${id} cannot take another ticket now`, {
    agentId: id,
  });

export const routingConfigInvalid = (issues: FieldIssue[]) =>
  new DomainError('invalid', 'ROUTING.CONFIG_INVALID', 'The routing configuration is not valid', {
    fields: issues,
  });

export const routingConfigVersionMismatch = (expected: number, actual: number) =>
  new DomainError(
    'precondition_failed',
    'ROUTING.CONFIG_VERSION_MISMATCH',
    `The routing configuration is at version ${actual}, not ${expected}; reload it and try again`,
    { expected, actual },
  );

export const agentUnavailable = (id: string, availability: string) =>
  new DomainError(
    'conflict',
    'AGENT.UNAVAILABLE',
    `Agent ${id} is ${availability} and cannot take a ticket now`,
    {
      agentId: id,
      availability,
    },
  );

export const agentForbidden = (id: string) =>
  new DomainError(
    'forbidden',
    'AGENT.FORBIDDEN',
    `Only ${id} themself, a supervisor or an admin may do this`,
    {
      agentId: id,
    },
  );

export const routingConfigNotFound = () =>
  new DomainError(
    'not_found',
    'ROUTING.CONFIG_NOT_FOUND',
    'No routing configuration is stored yet; PUT /config/routing stores the first version',
  );

export const assignmentForbidden = (ticketId: string, assignee: string) =>
  new DomainError(
    'forbidden',
    'ASSIGNMENT.FORBIDDEN',
    `Ticket ${ticketId} is assigned to ${assignee}; only they, a supervisor or an admin may move it`,
    { ticketId, assignee },
  );

export const ticketNotActive = (ticketId: string, status: string) =>
  new DomainError('conflict', 'ASSIGNMENT.TICKET_NOT_ACTIVE', `A ${status} ticket cannot be assigned`, {
    ticketId,
    status,
  });

export const agentVersionMismatch = (id: string, expected: number, actual: number) =>
  new DomainError(
    'precondition_failed',
    'AGENT.VERSION_MISMATCH',
    `Agent ${id}'s profile is at version ${actual}, not ${expected}; reload it and try again`,
    { agentId: id, expected, actual },
  );
