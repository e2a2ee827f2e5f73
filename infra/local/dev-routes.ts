import type { Role } from '#shared/domain/actor.ts';
import type { DeadLetter } from '#shared/domain/ticket/outbox.store.ts';
import type { LocalEventBus } from './event-bus.ts';
import type { ApiResult, GatewayRoute } from './http-gateway.ts';
import type { LocalAuth } from './local-auth.ts';
import { defaultUserFor, localUser, localUsers } from './local-users.ts';
import type { Outbox } from './outbox.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** A JSON answer of a local-only route (never cached). */
export const json = (statusCode: number, body: unknown): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** The tokens `GET /dev/tokens` returns: one per role at the top level, and one per local user. */
export type DevTokens = Record<Role, string> & {
  users: { id: string; name: string; email: string; roles: Role[]; token: string }[];
};

export async function devTokens(auth: LocalAuth): Promise<DevTokens> {
  const users = await Promise.all(
    localUsers.map(async (u) => {
      const user = localUser(u.id);
      return {
        id: user.id,
        name: user.name,
        email: user.email,
        roles: user.roles,
        token: await auth.issue(user),
      };
    }),
  );
  const tokenOf = (id: string) => users.find((u) => u.id === id)!.token;
  return {
    admin: tokenOf(defaultUserFor.admin),
    supervisor: tokenOf(defaultUserFor.supervisor),
    agent: tokenOf(defaultUserFor.agent),
    integration: tokenOf(defaultUserFor.integration),
    customer: tokenOf(defaultUserFor.customer),
    users,
  };
}

/** A scheduled job of the stack (an EventBridge schedule in AWS), run in process here. */
export interface LocalJob {
  name: string;
  /** The function the schedule invokes in AWS. */
  function: string;
  schedule: string;
  description: string;
  /** Runs it once now (after the run in progress, if any); resolves to its report. */
  run(): Promise<unknown>;
}

/**
 * The local-only routes (DESIGN.md §4): tokens, outbox, clock, recent events, dead letters, scheduled
 * jobs, inbound e-mail, health.
 * They exist only here; the AWS stack has no such route.
 */
export function devRoutes(deps: {
  auth: LocalAuth;
  clock: VirtualClock;
  events: LocalEventBus;
  outbox: Outbox;
  /** What the dispatcher set aside after the last attempt (the local dead-letter queue). */
  deadLetters: { list(): Promise<DeadLetter[]> };
  healthy: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  /** The scheduled jobs (`GET /dev/jobs`, `POST /dev/jobs/{name}`); read per request. */
  jobs: () => readonly LocalJob[];
  /** `POST /dev/inbound-email`: the e-mail channel (dev-channel-routes.ts); 501 without it. */
  inboundEmail?: GatewayRoute['invoke'];
  /** More local-only routes (e.g. `POST /dev/events`). */
  extra?: GatewayRoute[];
}): GatewayRoute[] {
  const route = (
    method: string,
    path: string,
    name: string,
    run: () => Promise<ApiResult>,
  ): GatewayRoute => ({
    method,
    path,
    name,
    invoke: () => run(),
  });
  return [
    route('GET', '/health', 'health', async () => {
      const { ok, checks } = await deps.healthy();
      return json(ok ? 200 : 503, ok ? { status: 'ok', checks } : { status: 'unavailable', checks });
    }),
    route('GET', '/dev/tokens', 'dev-tokens', async () => json(200, await devTokens(deps.auth))),
    route('GET', '/dev/clock', 'dev-clock', async () =>
      json(200, { now: deps.clock.now().toISOString(), timeScale: deps.clock.timeScale }),
    ),
    route('GET', '/dev/outbox', 'dev-outbox', async () => json(200, { messages: await deps.outbox.list() })),
    route('GET', '/dev/events', 'dev-events', async () => json(200, { events: deps.events.recent() })),
    route('GET', '/dev/dead-letters', 'dev-dead-letters', async () =>
      json(200, { deadLetters: await deps.deadLetters.list() }),
    ),
    route('GET', '/dev/jobs', 'dev-jobs', async () =>
      json(200, {
        jobs: deps.jobs().map(({ name, function: fn, schedule, description }) => ({
          name,
          function: fn,
          schedule,
          description,
        })),
      }),
    ),
    {
      method: 'POST',
      path: '/dev/jobs/{name}',
      name: 'dev-run-job',
      invoke: async (event) => {
        const name = event.pathParameters?.name ?? '';
        const job = deps.jobs().find((j) => j.name === name);
        if (!job) {
          return json(404, {
            error: {
              code: 'DEV.JOB_NOT_FOUND',
              message: `No scheduled job named ${JSON.stringify(name)}`,
              details: { known: deps.jobs().map((j) => j.name) },
            },
          });
        }
        const started = performance.now();
        const report = await job.run();
        return json(200, { name, tookMs: Math.round(performance.now() - started), report });
      },
    },
    deps.inboundEmail
      ? {
          method: 'POST',
          path: '/dev/inbound-email',
          name: 'dev-inbound-email',
          // SES accepts messages up to 40 MB; locally the same limit applies (parseEmail enforces it).
          maxBodyBytes: 40 * 1024 * 1024,
          // Raw mail, not JSON; text/plain is refused (request-guard.ts: a cross-site form could send it).
          bodyTypes: ['message/rfc822', 'application/octet-stream'],
          invoke: deps.inboundEmail,
        }
      : route('POST', '/dev/inbound-email', 'dev-inbound-email', async () =>
          json(501, {
            error: {
              code: 'INTAKE.EMAIL_NOT_IMPLEMENTED',
              message: 'E-mail intake is not wired in this runtime',
            },
          }),
        ),
    ...(deps.extra ?? []),
  ];
}
