import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ApiRouteDeps, apiRoutes } from '#functions/routes.ts';
import { ticketChangedHandler } from '#functions/ticket-changed/task.ts';
import { dynamoDeadLetters } from '#shared/adapters/dynamo/dynamo-outbox-store.ts';
import { migrateIndexes } from '#shared/adapters/dynamo/index-backfill.ts';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { ulidGenerator } from '#shared/adapters/ids.ts';
import { powertoolsLogger, powertoolsMetrics } from '#shared/adapters/observability/powertools.ts';
import type { Logger, Metrics } from '#shared/domain/ports.ts';
import type { TicketStore } from '#shared/domain/ticket/ticket.store.ts';
import type { OutboxRecord } from '#shared/domain/ticket/ticket-change.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import type { OutboxDispatcher } from '#shared/reactions/dispatcher.ts';
import type { EnvSource } from '#shared/runtime/env.ts';
import { wireAuth } from '#shared/runtime/wire-auth.ts';
import { wireChannels } from '#shared/runtime/wire-channels.ts';
import { wireCustomer360 } from '#shared/runtime/wire-customer360.ts';
import { wireImports } from '#shared/runtime/wire-imports.ts';
import { wireInsightJobs, wireInsightStore } from '#shared/runtime/wire-insights.ts';
import { wireReactions } from '#shared/runtime/wire-reactions.ts';
import { wireSlaCheckpoint, wireSlaEvaluate, wireSlaReconcile } from '#shared/runtime/wire-sla-timer.ts';
import { wireTickets } from '#shared/runtime/wire-tickets.ts';
import { wireWebhooksOut } from '#shared/runtime/wire-webhooks-out.ts';
import type { ImportDeps } from '#shared/use-cases/import-tickets.ts';
import type { LocalSlaTimer } from '#workflows/sla-timer.local.ts';
import { type LocalApprovalTimer, localApprovalTimer } from './approval-runtime.ts';
import { localAttachmentFiles } from './attachment-files.ts';
import { channelRules } from './channel-rules.ts';
import { committedStream, type LocalStream } from './committed-stream.ts';
import { consoleRoutes } from './console-routes.ts';
import { demoCrmRoutes, localConnectorSecrets, seedDemoConnectors } from './customer360.ts';
import { lockDataDir, prepareDataDir, wipeDataDir } from './data-dir.ts';
import { inboundEmailRoute, putEventsRoute } from './dev-channel-routes.ts';
import { type DevTokens, devRoutes, devTokens, type LocalJob } from './dev-routes.ts';
import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalEventBus, type LocalRule, localEventBus } from './event-bus.ts';
import { localRules } from './event-rules.ts';
import { localExportFiles, localExportRunner } from './export-files.ts';
import { type ApiEvent, type ApiResult, apiGateway, type GatewayRoute } from './http-gateway.ts';
import { localImportFiles } from './import-files.ts';
import { localImportRunner } from './import-runner.ts';
import { localInsightJobs } from './insight-jobs.ts';
import { localAudience, localAuth, localIssuer } from './local-auth.ts';
import { dynamoOutbox, type Outbox } from './outbox.ts';
import { type OutboxJournal, outboxJournal } from './outbox-journal.ts';
import { type LocalOutboxRetry, localOutboxRetry } from './outbox-retry.ts';
import { localPlatform } from './platform.ts';
import { localReportEngine } from './report-engine.ts';
import { allowedHostsFromEnv } from './request-guard.ts';
import { type LocalRoutingMaintenance, localRoutingMaintenance } from './routing-maintenance.ts';
import { type SeedResult, seedDemoData } from './seed.ts';
import { localSlaReconciler, timerRoutes } from './sla-reconciler.ts';
import { type LocalSla, localSla, localWall } from './sla-runtime.ts';
import { loadSlaTimerDefinition, loadTimerDefinition } from './timer-definitions.ts';
import { persistentVirtualClock, type VirtualClock } from './virtual-clock.ts';
import {
  localSubscriptionSecrets,
  localWebhookRetries,
  localWebhooksOut,
  webhooksOutRule,
} from './webhooks-out.ts';

export interface RuntimeOptions {
  /** HTTP port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Where data is kept between runs. Default `.gongdan`. */
  dataDir?: string;
  /** Virtual seconds per real second. Default 1. */
  timeScale?: number;
  /** Wipe the data dir first. */
  reset?: boolean;
  /** Seed demo data on first start. Default true. */
  seed?: boolean;
  /** Log lines go here instead of Powertools' JSON on stdout (benches and tests keep them quiet). */
  logger?: Logger;
  /** Extra bus rules (tests, later issues' local targets) on top of `localRules`. */
  rules?: readonly LocalRule[];
  /**
   * Host names the HTTP gateway answers besides localhost/127.0.0.1/[::1] (`--allow-host`; also
   * `GONGDAN_ALLOWED_HOSTS`, comma-separated). Any other Host header gets a 403 (request-guard.ts).
   */
  allowedHosts?: readonly string[];
}

export interface LocalRuntime {
  url: string;
  port: number;
  dataDir: string;
  tableName: string;
  dynamo: Pick<DynamoDbLocal, 'endpoint' | 'client'>;
  clock: VirtualClock;
  events: LocalEventBus;
  outbox: Outbox;
  deps: ApiRouteDeps;
  /** The outbox dispatcher the table's stream feeds (the `ticket-changed` function's). */
  dispatcher: OutboxDispatcher;
  /** The stream reader feeding it; `stream.idle()` resolves once what was written so far is handled. */
  stream: LocalStream;
  /** The `outbox-retry` schedule. */
  outboxRetry: LocalOutboxRetry;
  seed: SeedResult;
  /** The SLA timer: the synthesized state machine on the local executor. */
  sla: LocalSla;
  /** Routing maintenance (claim reconciler, queue sweep) every virtual minute, as the AWS schedule runs it. */
  routingMaintenance: LocalRoutingMaintenance;
  /** Milliseconds from `startRuntime` to ready. */
  startupMs: number;
  tokens(): Promise<DevTokens>;
  /** Stops everything this runtime started (HTTP, DynamoDB Local, timers); safe to call twice. */
  stop(): Promise<void>;
}

/** The runtime uses the table design's logical id as the physical name (CDK generates one in AWS). */
const tableName = ticketTable.id;

/**
 * The environment the local runtime's wirings read, as the stack sets it for the functions: the same
 * variables, with the local names (there is one bus, one timer, one queue here; mail goes to the outbox).
 */
export function localEnvironment(baseUrl: string): EnvSource {
  return {
    TABLE_NAME: tableName,
    EVENT_BUS_NAME: 'local',
    SLA_TIMER_ARN: 'arn:local:states:::stateMachine:sla-timer',
    APPROVAL_TIMER_ARN: 'arn:local:states:::stateMachine:approval-timer',
    DEAD_LETTER_QUEUE_URL: 'local:dead-letters',
    AUTH_ISSUER: localIssuer,
    AUTH_AUDIENCE: localAudience,
    MAIL_FROM: 'support@gongdan.local',
    MAIL_FROM_NAME: 'Gongdan 客服中心 / Customer Service',
    MESSAGE_ID_DOMAIN: 'mail.gongdan.local',
    OWN_ADDRESSES: 'support@gongdan.local',
    REOPEN_WINDOW_DAYS: '7',
    PORTAL_STATUS_URL: `${baseUrl}/portal/status`,
    APPROVAL_LINK_BASE: baseUrl,
    // Imports (docs/import.md): files under the data dir, run in process; rows per chunk passed through.
    IMPORT_BUCKET: 'local',
    IMPORT_STATE_MACHINE_ARN: 'arn:local:states:::stateMachine:import',
    IMPORT_BATCH_SIZE: process.env.IMPORT_BATCH_SIZE ?? '',
    // Rating links' validity (docs/closing-report.md): passed through, so a test can shorten it.
    FEEDBACK_LINK_VALID_HOURS: process.env.FEEDBACK_LINK_VALID_HOURS ?? '',
    SLA_NOTIFY_FROM: 'sla-alerts@gongdan.local',
    SLA_TICKET_LINK_BASE: `${baseUrl}/console/tickets`,
    SLA_SMS: 'true',
    // The analytics lake: JSONL files under <dataDir>/lake whatever the names (docs/analytics.md).
    LAKE_FACTS_STREAM: 'local-ticket-facts',
    LAKE_EVENTS_STREAM: 'local-ticket-events',
    POWERTOOLS_SERVICE_NAME: 'gongdan-local',
    POWERTOOLS_METRICS_NAMESPACE: 'Gongdan',
    // Outbound webhooks: plain http to loopback (test receivers) allowed here only; a test may shorten the timeout.
    WEBHOOKS_OUT_ALLOW_LOOPBACK_HTTP: 'true',
    WEBHOOKS_OUT_TIMEOUT_MS: process.env.WEBHOOKS_OUT_TIMEOUT_MS ?? '',
  };
}

/**
 * The ticket store of the local runtime: every write's outbox record is noted in the journal before the
 * write, handed to the local stream once committed, and settled at once if it was not committed.
 */
function streaming(
  store: TicketStore,
  journal: OutboxJournal,
  committed: (record: OutboxRecord) => void,
): TicketStore {
  const write = async <T>(record: OutboxRecord, run: () => Promise<T>, ok: (result: T) => boolean) => {
    const ref = { ticketId: record.ticketId, recordId: record.id };
    journal.intend(ref);
    let result: T;
    try {
      result = await run();
    } catch (error) {
      journal.settle([ref]);
      throw error;
    }
    if (ok(result)) committed(record);
    else journal.settle([ref]);
    return result;
  };
  return {
    ...store,
    create: (w, claim) =>
      write(
        w.outbox,
        () => store.create(w, claim),
        (o) => o.kind === 'created',
      ),
    async createMany(writes) {
      const refs = writes.map((w) => ({ ticketId: w.outbox.ticketId, recordId: w.outbox.id }));
      for (const ref of refs) journal.intend(ref);
      let outcomes: Awaited<ReturnType<TicketStore['createMany']>>;
      try {
        outcomes = await store.createMany(writes);
      } catch (error) {
        journal.settle(refs);
        throw error;
      }
      outcomes.forEach((o, i) => {
        if (o.kind === 'created') committed(writes[i]!.outbox);
        else journal.settle([refs[i]!]);
      });
      return outcomes;
    },
    update: (w, expected) =>
      write(
        w.outbox,
        () => store.update(w, expected),
        (written) => written,
      ),
  };
}

/**
 * Starts the whole system on this machine (DESIGN.md §4): DynamoDB Local with the stack's table, the
 * API routes behind an API Gateway stand-in, local sign-in, the virtual clock, the in-process bus and
 * the outbox, plus demo data. Resolves once every part is up; on failure, stops what it started.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<LocalRuntime> {
  const started = performance.now();
  const observed = localObservability(options.logger);
  const { logger, metrics } = observed;
  const timeScale = options.timeScale ?? 1;
  if (!(Number.isFinite(timeScale) && timeScale > 0))
    throw new Error(`--time-scale must be > 0, got ${timeScale}`);

  if (options.reset) wipeDataDir(options.dataDir ?? '.gongdan');
  const dataDir = prepareDataDir(options.dataDir ?? '.gongdan');
  const cleanups: (() => Promise<void> | void)[] = [lockDataDir(dataDir)];
  const cleanUp = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (error) {
        logger.error('runtime.stop_failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };

  try {
    let ready = false;
    let jobs: LocalJob[] = [];
    let port = options.port ?? 3000;
    const gateway = apiGateway({
      logger,
      host: () => `localhost:${port}`,
      isReady: () => ready,
      alwaysServe: ['/health'],
      guard: {
        port: () => port,
        allowedHosts: [...(options.allowedHosts ?? []), ...allowedHostsFromEnv(process.env)],
      },
    });
    // Listening first fails fast on a busy port, before Java is started.
    const http = await listenOnLoopback(gateway, port);
    port = http.port;
    cleanups.push(() => http.close());
    // The SLA timer's definition is synthesized by CDK (seconds; cached after the first run) while
    // DynamoDB Local starts.
    const synthesis = new AbortController();
    cleanups.push(() => synthesis.abort());
    const slaDefinition = loadSlaTimerDefinition(synthesis.signal);
    slaDefinition.catch(() => {}); // awaited below; a start-up that fails earlier must not leave it unhandled
    const approvalDefinition = loadTimerDefinition('approval-timer', synthesis.signal);
    approvalDefinition.catch(() => {});

    const [dynamo, auth, clockHandle] = await Promise.all([
      startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb'), logger }),
      localAuth(dataDir),
      Promise.resolve(persistentVirtualClock(dataDir, timeScale)),
    ]);
    cleanups.push(() => clockHandle.stop());
    cleanups.push(() => dynamo.stop());
    const clock = clockHandle.clock;
    await ensureTable(dynamo.client, ticketTable, tableName);
    // Data dirs from before the hot indexes were sharded: rewrite their tickets' keys once (a marker).
    const migrated = await migrateIndexes(dynamo.client, tableName, { logger });
    if (migrated.updated > 0) logger.info('migration.indexes_done', { tickets: migrated.updated });

    const doc = DynamoDBDocumentClient.from(dynamo.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const ids = ulidGenerator(() => clock.now().getTime());
    const events = localEventBus({ clock, logger, rules: [...localRules, ...(options.rules ?? [])] });
    cleanups.push(() => withTimeout(events.idle(), 2000));
    const outbox = dynamoOutbox({ doc, tableName, clock, ids, logger });
    const baseUrl = () => `http://localhost:${port}`;
    const environment = localEnvironment(baseUrl());
    const attachmentFiles = localAttachmentFiles(dataDir, baseUrl);
    let timer: LocalSlaTimer | undefined;
    let approvalTimer: LocalApprovalTimer | undefined;
    const platform = localPlatform({
      dataDir,
      dynamo: dynamo.client,
      tableName,
      clock,
      ids,
      logger,
      metrics,
      bus: events,
      outbox,
      timer: () => {
        if (!timer) throw new Error('The SLA timer is not running yet');
        return timer;
      },
      approvalTimer: () => {
        if (!approvalTimer) throw new Error('The approval timer is not running yet');
        return approvalTimer.starter;
      },
      auth,
      attachmentFiles: attachmentFiles.files,
    });

    // The same wirings the Lambdas compose, over the local platform.
    let stream: LocalStream | undefined;
    const journal = outboxJournal(dataDir);
    cleanups.push(async () => journal.close());
    const tickets = wireTickets(environment, platform);
    tickets.tickets = streaming(tickets.tickets, journal, (record) => stream?.committed(record));
    const connectorSecrets = localConnectorSecrets(dataDir);
    const importFiles = localImportFiles(dataDir, baseUrl);
    const importing: ImportDeps = wireImports(environment, platform, tickets, {
      files: () => importFiles.files,
      // The runner runs imports with these same deps: it is made once they are.
      runner: () => ({ start: (id, phase) => imports.runner.start(id, phase) }),
    });
    const imports = localImportRunner(() => importing, logger);
    cleanups.push(() => imports.stop());
    // Exports written to files (docs/export.md): the data dir stands in for S3, run in process.
    const exportFiles = localExportFiles(dataDir, baseUrl);
    const exportRunner = localExportRunner(() => deps, logger);
    cleanups.push(() => exportRunner.stop());
    // Lake reports (docs/analytics.md): one DuckDB over <dataDir>/lake, opened on the first report.
    const reportEngine = localReportEngine(dataDir);
    cleanups.push(() => reportEngine.close());
    const deps: ApiRouteDeps = {
      reports: { engine: reportEngine },
      insights: wireInsightStore(environment, platform),
      importing,
      exporting: { files: exportFiles.files, runner: exportRunner.runner },
      ...tickets,
      verifyToken: wireAuth(environment, platform),
      channels: wireChannels(environment, platform, tickets.tickets),
      // Customer 360: plain http to loopback is allowed here only (the demo CRM, a test's server).
      customer360: wireCustomer360(environment, platform, {
        secrets: connectorSecrets,
        allowLoopbackHttp: true,
      }),
      webhooksOut: localWebhooksOut(
        wireWebhooksOut(environment, platform, {
          tickets: tickets.tickets,
          secrets: localSubscriptionSecrets(dataDir),
        }),
        timeScale,
      ),
    };
    const { dispatcher } = wireReactions(environment, platform, tickets);
    for (const rule of channelRules(deps)) cleanups.push(events.subscribe(rule));
    const webhookRetries = localWebhookRetries({ deps: deps.webhooksOut, clock, logger });
    cleanups.push(() => webhookRetries.stop());
    cleanups.push(events.subscribe(webhooksOutRule(deps.webhooksOut, () => webhookRetries.poke())));

    const sla = localSla({
      tickets: tickets.tickets,
      clock,
      logger,
      definition: (await slaDefinition).definition,
      steps: {
        checkpoint: wireSlaCheckpoint(tickets, localWall(clock)),
        evaluate: wireSlaEvaluate(environment, platform, tickets, localWall(clock), 5000),
        degraded: tickets,
      },
    });
    timer = sla.timer;
    cleanups.push(() => sla.stop());
    approvalTimer = localApprovalTimer({
      definition: (await approvalDefinition).definition,
      deps: tickets,
      clock,
      logger,
    });
    cleanups.push(() => approvalTimer?.stop());

    // What a killed run left undispatched (and what waits for a retry) goes first; then the changes from
    // now on, as they commit.
    const recovered = await dispatcher.recover(journal.open());
    journal.clear();
    if (recovered > 0) logger.info('outbox.recovered', { records: recovered });
    stream = committedStream({
      handler: ticketChangedHandler(dispatcher),
      dispatched: (refs) => journal.settle(refs),
      logger,
    });
    cleanups.push(() => stream?.stop());
    const outboxRetry = localOutboxRetry({ dispatcher, clock, logger });
    cleanups.push(() => outboxRetry.stop());

    const healthy = async () => {
      try {
        await dynamo.client.send(new DescribeTableCommand({ TableName: tableName }), {
          abortSignal: AbortSignal.timeout(2000),
        });
        return { ok: ready, checks: { dynamodb: 'ok', http: 'ok', runtime: ready ? 'ready' : 'starting' } };
      } catch (error) {
        return {
          ok: false,
          checks: {
            dynamodb: error instanceof Error ? error.name : 'unavailable',
            http: 'ok',
            runtime: ready ? 'ready' : 'starting',
          },
        };
      }
    };
    gateway.setRoutes([
      ...apiRoutes.map((route): GatewayRoute => {
        const handler = apiHandler(route, deps, { streamBodies: true });
        return {
          method: route.method,
          path: route.path,
          name: route.name,
          ...(route.maxBodyBytes ? { maxBodyBytes: route.maxBodyBytes } : {}),
          // While DynamoDB Local is down (and being restarted) the API answers 503 at once.
          invoke: async (event: ApiEvent, context) =>
            dynamo.available() ? handler(event, context) : dynamoUnavailable(dynamo.retryAfterSeconds()),
        };
      }),
      ...devRoutes({
        auth,
        clock,
        events,
        outbox,
        healthy,
        jobs: () => jobs,
        deadLetters: dynamoDeadLetters(dynamo.client, tableName),
        inboundEmail: inboundEmailRoute(deps),
        extra: [
          putEventsRoute(events, logger),
          ...attachmentFiles.routes,
          ...exportFiles.routes,
          ...importFiles.routes,
          ...timerRoutes(() => sla),
          ...demoCrmRoutes(connectorSecrets),
        ],
      }),
      ...consoleRoutes(),
    ]);

    const seed =
      options.seed === false ? { seeded: false, tickets: 0 } : await seedDemoData({ doc, tableName, deps });
    if (options.seed !== false) {
      await seedDemoConnectors(
        deps.customer360,
        `http://127.0.0.1:${port}`,
        clock.now().toISOString(),
        logger,
      );
    }
    const resumed = await sla.resume();
    if (resumed > 0) logger.info('sla.timers_resumed', { timers: resumed });
    // Imports a killed run left checking or committing go on (a commit from its checkpoint).
    await imports.resume();
    const approvalsResumed = await approvalTimer.resume();
    if (approvalsResumed > 0) logger.info('approval.timers_resumed', { timers: approvalsResumed });
    const routingMaintenance = localRoutingMaintenance({ deps: tickets, clock, logger });
    cleanups.push(() => routingMaintenance.stop());
    const slaReconciler = localSlaReconciler({
      deps: wireSlaReconcile(environment, platform, tickets, localWall(clock)),
      clock,
      logger,
    });
    cleanups.push(() => slaReconciler.stop());
    // Spikes, forecasts and the weekly digest over the lake (docs/analytics.md).
    const insightJobs = localInsightJobs({
      deps: wireInsightJobs(environment, platform, tickets, reportEngine),
      dataDir,
      clock,
      logger,
    });
    cleanups.push(() => insightJobs.stop());
    jobs = [
      {
        name: 'routing-maintenance',
        function: 'routing-sweep',
        schedule: 'every minute',
        description: 'Releases capacity claims no ticket holds and places tickets still waiting for an agent',
        run: () => routingMaintenance.runNow(),
      },
      {
        name: 'outbox-retry',
        function: 'outbox-retry',
        schedule: 'every minute (every 15 virtual seconds locally)',
        description: 'Runs again the reactions of changes whose first attempt failed and are due',
        run: async () => ({ records: await outboxRetry.runNow() }),
      },
      {
        name: 'sla-reconcile',
        function: 'sla-reconcile',
        schedule: 'every 15 minutes (every 15 virtual minutes locally, at most every 5 s)',
        description: 'Restarts SLA timers that are missing or gave up after repeated failures',
        run: () => slaReconciler.runNow(),
      },
      {
        name: 'webhooks-out-retry',
        function: 'webhooks-out',
        schedule: 'every minute (every 20 virtual seconds locally, at most every 100 ms)',
        description:
          'Delivers outbound webhooks that are due: retries after back-off and deliveries deferred by an open circuit',
        run: () => webhookRetries.runNow(),
      },
      ...insightJobs.jobs,
    ];
    ready = true;
    const url = `http://localhost:${port}`;
    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      dataDir,
      tableName,
      dynamo: { endpoint: dynamo.endpoint, client: dynamo.client },
      clock,
      events,
      outbox,
      deps,
      dispatcher,
      stream: stream!,
      outboxRetry,
      seed,
      sla,
      routingMaintenance,
      startupMs: Math.round(performance.now() - started),
      tokens: () => devTokens(auth),
      stop() {
        ready = false;
        // Stop taking requests first (in-flight ones get a moment), then everything behind them.
        stopping ??= http.close().then(cleanUp);
        return stopping;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** The answer of every API route while DynamoDB Local is down: 503 with `Retry-After`. */
function dynamoUnavailable(retryAfterSeconds: number): ApiResult {
  return {
    statusCode: 503,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': String(retryAfterSeconds),
      'cache-control': 'no-store',
    },
    body: JSON.stringify({
      error: {
        code: 'SERVICE.UNAVAILABLE',
        message: `The database is restarting; try again in ${retryAfterSeconds} s`,
        details: { dependency: 'dynamodb', retryAfterSeconds },
      },
    }),
  };
}

interface Listening {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves on 127.0.0.1 and, where the machine has IPv6, on ::1 at the same port, so `localhost` works
 * whichever address it resolves to. Loopback only: `/dev/tokens` hands out admin tokens.
 */
async function listenOnLoopback(gateway: ReturnType<typeof apiGateway>, port: number): Promise<Listening> {
  const servers: Server[] = [];
  const make = () => {
    const server = createServer({ requestTimeout: 60_000, headersTimeout: 30_000 }, gateway.listener);
    server.keepAliveTimeout = 5000;
    return server;
  };
  const v4 = make();
  await listen(v4, port, '127.0.0.1');
  servers.push(v4);
  const actual = (v4.address() as AddressInfo).port;
  const v6 = make();
  try {
    await listen(v6, actual, '::1');
    servers.push(v6);
  } catch {
    // No IPv6 loopback (or ::1 taken): IPv4 alone serves localhost.
  }
  let closing: Promise<void> | undefined;
  return {
    port: actual,
    close() {
      closing ??= Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolveClose) => {
              s.close(() => resolveClose());
              s.closeIdleConnections();
              // Requests still running get a moment to finish, then their connections are cut.
              setTimeout(() => s.closeAllConnections(), 1500).unref();
            }),
        ),
      ).then(() => undefined);
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string) {
  return new Promise<void>((resolveListen, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${host} is already in use; choose another with --port`, {
              cause: error,
            })
          : error,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolveListen();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Log lines and metrics as a Lambda writes them (Powertools' JSON and EMF lines on stdout), or into
 * the logger a caller gives (benches and tests keep quiet that way, metrics then go nowhere).
 */
function localObservability(given: Logger | undefined): { logger: Logger; metrics: Metrics } {
  if (given) return { logger: given, metrics: { count() {} } };
  const serviceName = 'gongdan-local';
  return {
    logger: powertoolsLogger(new PowertoolsLogger({ serviceName })),
    metrics: powertoolsMetrics(new PowertoolsMetrics({ namespace: 'Gongdan', serviceName })),
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
