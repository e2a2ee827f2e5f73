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
