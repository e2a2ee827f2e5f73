import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiRoutes } from '#functions/routes.ts';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { dynamoTicketStore } from '#shared/adapters/dynamo/dynamo-ticket-store.ts';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { ulidGenerator } from '#shared/adapters/ids.ts';
import { jsonLogger } from '#shared/adapters/json-logger.ts';
import type { Logger } from '#shared/domain/ports.ts';
import { apiHandler } from '#shared/http/api-handler.ts';
import type { ApiDeps } from '#shared/http/route.ts';
import { channelRules } from './channel-rules.ts';
import { localChannels } from './channels.ts';
import { lockDataDir, prepareDataDir, wipeDataDir } from './data-dir.ts';
import { inboundEmailRoute, putEventsRoute } from './dev-channel-routes.ts';
import { type DevTokens, devRoutes, devTokens } from './dev-routes.ts';
import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalEventBus, type LocalRule, localEventBus } from './event-bus.ts';
import { localRules } from './event-rules.ts';
import { type ApiEvent, apiGateway, type GatewayRoute } from './http-gateway.ts';
import { localAuth } from './local-auth.ts';
import { dynamoOutbox, type Outbox } from './outbox.ts';
import { type LocalRoutingMaintenance, localRoutingMaintenance } from './routing-maintenance.ts';
import { type SeedResult, seedDemoData } from './seed.ts';
import { loadSlaTimerDefinition } from './sla-definition.ts';
import { type LocalSla, localSla } from './sla-runtime.ts';
import { persistentVirtualClock, type VirtualClock } from './virtual-clock.ts';

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
  logger?: Logger;
  /** Extra bus rules (tests, later issues' local targets) on top of `localRules`. */
  rules?: readonly LocalRule[];
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
  deps: ApiDeps;
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
 * Starts the whole system on this machine (DESIGN.md §4): DynamoDB Local with the stack's table, the
 * API routes behind an API Gateway stand-in, local sign-in, the virtual clock, the in-process bus and
 * the outbox, plus demo data. Resolves once every part is up; on failure, stops what it started.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<LocalRuntime> {
  const started = performance.now();
  const logger = options.logger ?? jsonLogger({ service: 'gongdan-local' });
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
    let port = options.port ?? 3000;
    const gateway = apiGateway({
      logger,
      host: () => `localhost:${port}`,
      isReady: () => ready,
      alwaysServe: ['/health'],
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

    const [dynamo, auth, clockHandle] = await Promise.all([
      startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') }),
      localAuth(dataDir),
      Promise.resolve(persistentVirtualClock(dataDir, timeScale)),
    ]);
    cleanups.push(() => clockHandle.stop());
    cleanups.push(() => dynamo.stop());
    const clock = clockHandle.clock;
    await ensureTable(dynamo.client, ticketTable, tableName);

    const doc = DynamoDBDocumentClient.from(dynamo.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const ids = ulidGenerator(() => clock.now().getTime());
    const events = localEventBus({ clock, logger, rules: [...localRules, ...(options.rules ?? [])] });
    cleanups.push(() => withTimeout(events.idle(), 2000));
    const outbox = dynamoOutbox({ doc, tableName, clock, ids, logger });
    const deps: ApiDeps = {
      tickets: dynamoTicketStore(dynamo.client, tableName, clock),
      routing: {
        agents: dynamoAgentStore(dynamo.client, tableName, clock),
        config: dynamoRoutingConfigStore(dynamo.client, tableName),
      },
      events,
      clock,
      ids,
      logger,
      verifyToken: auth.verifyToken,
    };
    const channelDeps = localChannels({
      dataDir,
      client: dynamo.client,
      tableName,
      tickets: deps.tickets,
      clock,
      notifier: outbox,
      logger,
      baseUrl: () => `http://localhost:${port}`,
    });
    // The same object, typed with its channels: later additions to `deps` stay visible to the channels.
    const withChannels = Object.assign(deps, { channels: channelDeps });
    for (const rule of channelRules(withChannels)) cleanups.push(events.subscribe(rule));

    const sla = localSla({
      deps,
      client: dynamo.client,
      tableName,
      clock,
      notifier: outbox,
      definition: (await slaDefinition).definition,
      baseUrl: () => `http://localhost:${port}`,
    });
    deps.sla = sla.ticketSla;
    cleanups.push(() => sla.stop());

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
        const handler = apiHandler(route, deps);
        return {
          method: route.method,
          path: route.path,
          name: route.name,
          ...(route.maxBodyBytes ? { maxBodyBytes: route.maxBodyBytes } : {}),
          invoke: (event: ApiEvent, context) => handler(event, context),
        };
      }),
      ...devRoutes({
        auth,
        clock,
        events,
        outbox,
        healthy,
        inboundEmail: inboundEmailRoute(withChannels),
        extra: [putEventsRoute(events, logger)],
      }),
    ]);

    const seed =
      options.seed === false ? { seeded: false, tickets: 0 } : await seedDemoData({ doc, tableName, deps });
    const resumed = await sla.resume();
    if (resumed > 0) logger.info('sla.timers_resumed', { timers: resumed });
    const routingMaintenance = localRoutingMaintenance({ deps, clock, logger });
    cleanups.push(() => routingMaintenance.stop());
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
