import { DomainError } from '../errors.ts';
import type { Clock, Logger } from '../ports.ts';
import { retry, retryOnConflict } from '../retry.ts';
import type { Customer, NewTicket } from '../ticket/ticket.entity.ts';
import {
  deliveryIdMissing,
  intakeInProgress,
  payloadInvalid,
  unknownWebhookSource,
} from './intake.errors.ts';
import { type IntakeLedger, type LedgerRecord, runOnce } from './intake-ledger.ts';
import {
  type AlertTicket,
  alertKey,
  headerValue,
  mapWebhookPayload,
  planAlert,
  readPath,
  replayDecision,
  resolveValue,
  type SignedRequest,
  verifyWebhookSignature,
  type WebhookSourceConfig,
  webhookDeliveryKeys,
} from './webhook.ts';

export interface WebhookRequest extends SignedRequest {
  /** The `{source}` of `POST /hooks/{source}`. */
  source: string;
}

export interface WebhookIntakePorts {
  /** Validated source configurations (WebhookSourceConfig), e.g. from `GET/PUT /config/webhooks`. */
  sources: { get(source: string): WebhookSourceConfig | null | Promise<WebhookSourceConfig | null> };
  /** The source's secrets, current first, from SSM / Secrets Manager (cached by the adapter). */
  secrets: { forSource(config: WebhookSourceConfig): Promise<readonly string[]> };
  ledger: IntakeLedger;
  /** The most recent ticket opened for an alert key (`alertKey(source, fingerprint)`), any status. */
  alerts: { latestByKey(key: string): Promise<AlertTicket | null> };
  tickets: {
    /** `createTicket(ticket, integrationActor(source), deps, idempotencyKey)`; `alertKey` is indexed. */
    open(request: {
      ticket: NewTicket & { customer: Customer };
      idempotencyKey: string;
      alertKey: string | null;
    }): Promise<{ ticketId: string; number: string; created: boolean }>;
    /** Sets `alertCount` / `alertLastSeenAt` on the ticket (and notes it in its history). */
    recordAlertRepeat(request: { ticketId: string; count: number; lastSeenAt: string }): Promise<void>;
    /** Adds an internal note that the monitoring system reported the alert resolved. */
    noteAlertCleared(request: { ticketId: string; at: string }): Promise<void>;
  };
  clock: Clock;
  logger: Logger;
}

export type WebhookOutcome = 'created' | 'alert_repeated' | 'alert_cleared' | 'ignored' | 'duplicate';

export interface WebhookIntakeResult extends LedgerRecord {
  outcome: WebhookOutcome;
  ticketId: string | null;
  number: string | null;
  created: boolean;
}

const claimSeconds = 120;

/**
 * Takes one signed webhook delivery into the pool.
 *
 * 1. Find the source's configuration and secrets; verify signature and timestamp.
 * 2. Parse the payload; answer a replayed delivery (same delivery id or same signature) with the
 *    earlier result.
 * 3. Claim the content (the signature: source, timestamp, body) with a conditional write before any
 *    ticket is written; copies racing for it wait for the winner and answer its result.
 * 4. Map the payload to a ticket, once per delivery id; for alert sources, update the open ticket of
 *    the same fingerprint (count, last seen) instead of opening another.
 * 5. Remember the delivery under both keys.
 */
export async function ingestWebhook(
  request: WebhookRequest,
  ports: WebhookIntakePorts,
): Promise<WebhookIntakeResult> {
  const config = await ports.sources.get(request.source);
  if (!config) throw unknownWebhookSource(request.source);
  const now = ports.clock.now();
  const secrets = await ports.secrets.forSource(config);
  const { signature } = verifyWebhookSignature(request, secrets, now, config.toleranceSeconds);

  const payload = parseJson(request.body);
  const deliveryId = config.deliveryId.path
    ? asId(readPath(payload, config.deliveryId.path))
    : headerValue(request.headers, config.deliveryId.header.toLowerCase());
  if (config.deliveryId.path && !deliveryId) throw deliveryIdMissing(`payload ${config.deliveryId.path}`);
  const keys = webhookDeliveryKeys(config.source, deliveryId, signature);

  const replay = await replayDecision(
    [keys.delivery, keys.signature],
    async (k) => !!(await ports.ledger.find(k)),
  );
  if (replay.replay) {
    const earlier = await ports.ledger.find(replay.key);
    ports.logger.info('intake.webhook.replay', { source: config.source, key: replay.key });
    return duplicate(earlier);
  }

  // Copies of one signed body (the same timestamp and bytes) race for the content claim before any
  // ticket is written; the losers wait for the winner and answer its result, as a later replay does.
  const content = await claimContent(ports, keys.signature);
  if (content.kind === 'done') {
    ports.logger.info('intake.webhook.replay', { source: config.source, key: keys.signature });
    return duplicate(content.record);
  }
  let result: WebhookIntakeResult;
  try {
    result = await deliver(config, payload, keys, now, ports);
  } catch (error) {
    await ports.ledger.release(keys.signature);
    throw error;
  }
  await ports.ledger.complete(keys.signature, result, now);
  ports.logger.info('intake.webhook', {
    source: config.source,
    deliveryId,
    outcome: result.outcome,
    ticketId: result.ticketId,
  });
  return result;
}

/** How long a copy waits for the copy that holds its content claim, in ms of real time. */
const contentWaitMs = 8000;

/**
 * Takes the claim on a delivery's content (its signature: source, timestamp and body), waiting while
 * another copy holds it: `done` with the winner's record once it has finished, `claimed` when this copy
 * is to do the work (also after a holder failed and released it). INTAKE.IN_PROGRESS if the holder
 * takes longer than the wait.
 */
function claimContent(
  ports: WebhookIntakePorts,
  key: string,
): Promise<{ kind: 'claimed' } | { kind: 'done'; record: LedgerRecord }> {
  return retryOnConflict(
    async () => {
      const claim = await ports.ledger.claim(key, ports.clock.now(), claimSeconds);
      return claim.kind === 'held' ? retry : claim;
    },
    {
      budgetMs: contentWaitMs,
      baseDelayMs: 20,
      maxDelayMs: 400,
      exhausted: () => intakeInProgress(key),
    },
  );
}

/** The delivery's work, once per delivery id when it has one (a sender's retry re-signs under the same id). */
async function deliver(
  config: WebhookSourceConfig,
  payload: unknown,
  keys: { delivery: string | null; signature: string },
  now: Date,
  ports: WebhookIntakePorts,
): Promise<WebhookIntakeResult> {
  const { delivery } = keys;
  if (!delivery) return handle(config, payload, keys.signature, now, ports);
  const run = await runOnce(ports.ledger, delivery, now, claimSeconds, () =>
    handle(config, payload, delivery, now, ports),
  );
  return run.duplicate ? duplicate(run.record) : run.result;
}

async function handle(
  config: WebhookSourceConfig,
  payload: unknown,
  deliveryKey: string,
  now: Date,
  ports: WebhookIntakePorts,
): Promise<WebhookIntakeResult> {
  const ticket = mapWebhookPayload(payload, config.mapping);
  if (!config.alert) {
    const opened = await ports.tickets.open({ ticket, idempotencyKey: deliveryKey, alertKey: null });
    return { outcome: opened.created ? 'created' : 'duplicate', ...opened };
  }

  const fingerprint = String(resolveValue(config.alert.fingerprint, payload) ?? '').trim();
  if (!fingerprint)
    throw payloadInvalid('The alert has no fingerprint', { fingerprint: config.alert.fingerprint });
  const resolvedWhen = config.alert.resolvedWhen;
  const resolved =
    !!resolvedWhen &&
    resolvedWhen.equals.some(
      (v) => v.toLowerCase() === String(readPath(payload, resolvedWhen.path) ?? '').toLowerCase(),
    );
  const key = alertKey(config.source, fingerprint);

  // A lost race to open the episode's ticket is one more try: the winner's ticket is then the open one.
  return retryOnConflict<WebhookIntakeResult>(
    async () => {
      const plan = planAlert(
        { source: config.source, fingerprint, resolved },
        await ports.alerts.latestByKey(key),
        now,
      );
      switch (plan.kind) {
        case 'repeat':
          await ports.tickets.recordAlertRepeat({
            ticketId: plan.ticketId,
            count: plan.count,
            lastSeenAt: plan.lastSeenAt,
          });
          return { outcome: 'alert_repeated', ticketId: plan.ticketId, number: plan.number, created: false };
        case 'clear':
          await ports.tickets.noteAlertCleared({ ticketId: plan.ticketId, at: now.toISOString() });
          return { outcome: 'alert_cleared', ticketId: plan.ticketId, number: plan.number, created: false };
        case 'ignore':
          return { outcome: 'ignored', ticketId: null, number: null, created: false };
        case 'open':
          try {
            const opened = await ports.tickets.open({
              ticket: { ...ticket, customFields: { ...ticket.customFields, ...plan.customFields } },
              idempotencyKey: plan.idempotencyKey,
              alertKey: key,
            });
            if (opened.created) return { outcome: 'created', ...opened };
          } catch (error) {
            // Another copy of this alert won the race to open the episode's ticket with a different body.
            if (!(error instanceof DomainError && error.code === 'IDEMPOTENCY.KEY_REUSED')) throw error;
          }
        // Lost the race: the winner's ticket is now the open one, so count this copy as a repeat.
      }
      return retry;
    },
    {
      maxAttempts: 2,
      baseDelayMs: 1,
      exhausted: () =>
        new DomainError('conflict', 'INTAKE.IN_PROGRESS', 'The alert is being processed; try again shortly'),
    },
  );
}

function parseJson(body: string | Buffer): unknown {
  try {
    const value: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    if (value === null || typeof value !== 'object') throw new Error('not an object');
    return value;
  } catch {
    throw payloadInvalid('The body must be a JSON object');
  }
}

const asId = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value).trim() || null : null;

const duplicate = (record: LedgerRecord | null): WebhookIntakeResult => ({
  outcome: 'duplicate',
  ticketId: record?.ticketId ?? null,
  number: null,
  created: false,
});
