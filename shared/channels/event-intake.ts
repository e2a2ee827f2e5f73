import { DomainError } from '../domain/errors.ts';
import { eventActor } from '../domain/intake/intake-actors.ts';
import { parseIntakeEvent, type TicketUpdateRequested } from '../domain/intake/intake-events.ts';
import { runOnce } from '../domain/intake/intake-ledger.ts';
import { ticketNotFound } from '../domain/ticket/ticket.errors.ts';
import { createTicket } from '../use-cases/create-ticket.ts';
import { transitionTicket } from '../use-cases/transition-ticket.ts';
import { updateTicketFields } from '../use-cases/update-ticket.ts';
import type { ChannelTicketDeps } from './deps.ts';

export interface IntakeEventResult {
  outcome: 'created' | 'updated' | 'duplicate';
  ticketId: string | null;
  [key: string]: unknown;
}

const claimSeconds = 120;

/**
 * The EventBridge pattern of the intake rule: the two request events from any source but Gongdan's own
 * (nothing we publish can loop back in). The stack's rule and the local bus use this one definition.
 */
export const intakeEventPattern = {
  source: [{ 'anything-but': ['gongdan'] }],
  'detail-type': ['ticket.create.requested', 'ticket.update.requested'],
} as const;

/**
 * Takes one `ticket.create.requested` / `ticket.update.requested` event from another system (the
 * EventBridge rule's target in AWS, the same rule on the local bus).
 *
 * 1. Validate envelope and detail (`parseIntakeEvent`); the key is the producer's `requestId`, else the
 *    event id, so redeliveries and the producer's retries change nothing.
 * 2. Create: `createTicket` as `event:<source>` under that key; remember the producer's `externalRef`.
 * 3. Update: find the ticket (id, number or `externalRef`), apply field changes and a comment in one
 *    write (at `expectedVersion` when given), then the status move through the lifecycle's rules.
 */
export async function handleIntakeEvent(event: unknown, deps: ChannelTicketDeps): Promise<IntakeEventResult> {
  const parsed = parseIntakeEvent(event);
  const actor = eventActor(parsed.source);

  if (parsed.name === 'ticket.create.requested') {
    const { ticket: input, externalRef } = parsed.detail;
    const customFields = externalRef
      ? { ...input.customFields, externalSystem: externalRef.system, externalId: externalRef.id }
      : input.customFields;
    const { ticket, created } = await createTicket(
      { ...input, customFields },
      actor,
      deps,
      parsed.idempotencyKey,
    );
    if (externalRef) await deps.channels.externalRefs.put(externalRef.system, externalRef.id, ticket.id);
    deps.logger.info('intake.event', {
      name: parsed.name,
      source: parsed.source,
      ticketId: ticket.id,
      created,
    });
    return { outcome: created ? 'created' : 'duplicate', ticketId: ticket.id };
  }

  const { detail } = parsed;
  const run = await runOnce(
    deps.channels.ledger,
    parsed.idempotencyKey,
    deps.clock.now(),
    claimSeconds,
    async () => {
      const ticketId = await findTicket(detail.ticket, deps);
      const { status, ...fields } = detail.changes;
      let expected = detail.expectedVersion;
      if (Object.values(fields).some((v) => v !== undefined)) {
        await updateTicketFields(ticketId, fields, actor, expected, deps);
        expected = undefined;
      }
      if (status) {
        await transitionTicket(
          ticketId,
          // An integration resolving through an event gives the summary as its reason.
          {
            to: status.to,
            ...(status.reason ? { reason: status.reason } : {}),
            ...(status.to === 'resolved' && status.reason ? { summary: status.reason } : {}),
          },
          actor,
          expected,
          deps,
        );
      }
      return { outcome: 'updated' as const, ticketId };
    },
  );
  const result: IntakeEventResult = run.duplicate
    ? { outcome: 'duplicate', ticketId: run.record.ticketId }
    : run.result;
  deps.logger.info('intake.event', { name: parsed.name, source: parsed.source, ...result });
  return result;
}

async function findTicket(
  selector: TicketUpdateRequested['ticket'],
  deps: ChannelTicketDeps,
): Promise<string> {
  if ('id' in selector) {
    if (!(await deps.tickets.get(selector.id))) throw ticketNotFound(selector.id);
    return selector.id;
  }
  if ('number' in selector) {
    const ticket = await deps.tickets.getByNumber(selector.number);
    if (!ticket) throw ticketNotFound(selector.number);
    return ticket.id;
  }
  const id = await deps.channels.externalRefs.find(selector.externalRef.system, selector.externalRef.id);
  if (!id) {
    throw new DomainError(
      'not_found',
      'TICKET.NOT_FOUND',
      `No ticket was opened for ${selector.externalRef.system} ${selector.externalRef.id}`,
      { externalRef: selector.externalRef },
    );
  }
  return id;
}

/**
 * Whether a failure is final for this event (retrying cannot help: invalid, unknown ticket, an illegal
 * move): such events are logged and dropped; anything else is thrown so EventBridge / Lambda retry.
 */
export const isFinalIntakeError = (error: unknown) =>
  error instanceof DomainError &&
  error.code !== 'INTAKE.IN_PROGRESS' &&
  error.code !== 'TICKET.CONCURRENT_UPDATE';

/**
 * `handleIntakeEvent` as a bus target (the Lambda behind the stack's rule, and the local bus's rule):
 * an event that can never succeed is logged and dropped; any other failure is thrown, so EventBridge's
 * retry (and the DLQ after it) take over.
 */
export async function acceptIntakeEvent(
  event: { id: string; source: string; 'detail-type': string },
  deps: ChannelTicketDeps,
): Promise<void> {
  try {
    await handleIntakeEvent(event, deps);
  } catch (error) {
    if (!isFinalIntakeError(error)) throw error;
    deps.logger.warn('intake.event_rejected', {
      eventId: event.id,
      source: event.source,
      detailType: event['detail-type'],
      code: (error as { code?: string }).code,
    });
  }
}
