/**
 * A whole-stack monthly AWS cost estimate for a typical team at 10,000 and 1,000,000 tickets a month,
 * from list prices (us-east-1) and per-ticket and per-agent assumptions stated below. docs/cost.md shows
 * this table (a unit test keeps the two equal). Run: `npm run cost` (or `npm run cost -- 50000` for
 * another volume). No AWS call: arithmetic only.
 */
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** AWS list prices, us-east-1 (N. Virginia), USD, without free tiers unless a line says so. */
export const prices = {
  lambdaRequest: 0.2 / 1e6, // per request
  lambdaGbSecond: 0.0000133334, // arm64, per GB-second
  httpApiRequest: 1.0 / 1e6, // HTTP API, first 300 million a month
  dynamoWrite: 0.625 / 1e6, // on-demand write request unit
  dynamoRead: 0.125 / 1e6, // on-demand read request unit
  dynamoStorageGb: 0.25, // per GB-month
  dynamoPitrGb: 0.2, // continuous backup, per GB-month
  sfnTransition: 0.025 / 1000, // Standard workflows, per state transition
  eventBridgeEvent: 1.0 / 1e6, // custom events put on a bus (64 KB chunks)
  sesOutbound: 0.1 / 1000, // per e-mail sent
  sesInbound: 0.1 / 1000 + 0.09 / 1000, // per message received (≤ 256 KB: one chunk)
  smsChina: 0.035, // SNS SMS to +86, per message part (assumption: varies by country and carrier)
  s3StorageGb: 0.023, // S3 Standard, per GB-month
  s3Put: 0.005 / 1000, // PUT/POST per request
  cloudFrontGb: 0.085, // data out, North America/Europe, first 10 TB
  cloudFrontRequest: 0.01 / 10_000, // HTTPS requests
  logsIngestGb: 0.5, // CloudWatch Logs ingestion, per GB
  logsStorageGb: 0.03, // per GB-month (archived, compressed)
  alarm: 0.1, // standard-resolution metric alarm, per month
  dashboard: 3.0, // per dashboard-month
  customMetric: 0.3, // per metric-month (Powertools EMF metrics), first 10,000
  cognitoMau: 0.015, // Essentials, per monthly active user above 10,000 free
  kmsKey: 1.0, // customer-managed key, per month
  kmsRequest: 0.03 / 10_000,
  xrayTrace: 5.0 / 1e6, // traces recorded
} as const;

/** What one ticket causes, on average, over its life. */
export const perTicket = {
  /** API calls by people about the ticket (create, views, history, replies, transitions, assignment). */
  apiRequests: 20,
  /** Changes written through the one write path (each a transaction and an outbox record). */
  changes: 8,
  /** Write request units per change: ticket, audit item(s), message, outbox, index entries, ×2 in a transaction. */
  writeUnitsPerChange: 14,
  /** Read units per API call (ticket, history or messages, strongly consistent). */
  readUnitsPerRequest: 4,
  /** Lambda invocations beyond the API: dispatcher batches, routing, SLA steps, mail intake. */
  backgroundInvocations: 12,
  /** SLA timer state transitions (docs/sla.md: 6 when met, 9 when warned or paused, 3 when quick). */
  sfnTransitions: 8,
  /** Events on the bus (created, assigned, replied, status changes, resolved, closed, sla.*). */
  events: 10,
  /** E-mails sent (acknowledgement, replies, closing report, some SLA warnings). */
  emailsOut: 4,
  /** E-mails received (half the tickets come by mail, with one follow-up). */
  emailsIn: 1,
  /** SMS parts (SLA escalations to on-call, closing reports to customers who chose SMS). */
  sms: 0.2,
  /** Bytes kept in the table per ticket (ticket, history, messages, indexes). */
  tableBytes: 12_000,
  /** Bytes put in S3 per ticket (raw mail kept 30 days, attachments kept). */
  s3Bytes: 150_000,
  s3Puts: 1.5,
  /** Log bytes per ticket: function logs, API access logs, Step Functions logs at level ALL. */
  logBytes: 30 * 1500 + 20 * 500 + 8 * 600,
};

/** What each agent's console causes, whatever the ticket count (the queue refreshes every 3 s). */
export const perAgentMonth = {
  /** Queue refresh every 3 s while visible (4 h a day) + a ticket's 2 queries every 5 s (2 h a day), 22 days. */
  pollRequests: 22 * ((4 * 3600) / 3 + (2 * (2 * 3600)) / 5),
  /** Read units per poll: a page of ~25 summaries (~25 KB) read eventually consistent. */
  readUnitsPerPoll: 3.5,
  /** Console loads (2 a day) of ~1.5 MB each from CloudFront, 40 requests each. */
  consoleGb: (22 * 2 * 1.5) / 1024,
  consoleRequests: 22 * 2 * 40,
};

/** A typical team for a volume: ~45 tickets per agent per working day, at least 25 agents. */
export const agentsFor = (ticketsPerMonth: number) => Math.max(25, Math.round(ticketsPerMonth / (22 * 45)));

const api = { gb: 0.5, seconds: 0.06 }; // API functions: 512 MB for 60 ms
const background = { gb: 0.5, seconds: 0.15 }; // reactions and timer steps: 512 MB for 150 ms

/** Fixed monitoring: one errors and one throttles alarm per function, plus ~12 for DLQ, SFN, SES, API, DynamoDB. */
export function functionCount(): number {
  const dir = fileURLToPath(new URL('../functions/', import.meta.url));
  return readdirSync(dir).filter((f) => statSync(dir + f).isDirectory()).length;
}

export interface Line {
  service: string;
  quantity: string;
  arithmetic: string;
  cost: number;
}

const m = (n: number) =>
  n >= 1e6 ? `${+(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)} k` : `${+n.toFixed(2)}`;
const usd = (n: number) => `$${n < 10 ? n.toFixed(2) : n.toFixed(0)}`;

/** The month's lines for a ticket volume. */
export function estimate(
  ticketsPerMonth: number,
  functions = functionCount(),
): { agents: number; lines: Line[] } {
  const t = ticketsPerMonth;
  const agents = agentsFor(t);
  const polls = agents * perAgentMonth.pollRequests;
  const apiRequests = t * perTicket.apiRequests + polls;
  const bgInvocations = t * perTicket.backgroundInvocations;
  const gbSeconds = apiRequests * api.gb * api.seconds + bgInvocations * background.gb * background.seconds;
  const writes = t * perTicket.changes * perTicket.writeUnitsPerChange;
  const reads =
    t * perTicket.apiRequests * perTicket.readUnitsPerRequest + polls * perAgentMonth.readUnitsPerPoll;
  // A year of tickets is kept: storage at the end of the first year is 12 months' worth.
  const tableGb = (12 * t * perTicket.tableBytes) / 1e9;
  const s3Gb = (12 * t * perTicket.s3Bytes) / 1e9;
  const logGb = (t * perTicket.logBytes + polls * 2000) / 1e9;
  const alarms = functions * 2 + 12;
  const metrics = 40;
  const traces = (apiRequests + bgInvocations) * 0.05;
  const lines: Line[] = [
    {
      service: 'Lambda requests',
      quantity: `${m(apiRequests + bgInvocations)} invocations`,
      arithmetic: `${m(apiRequests + bgInvocations)} × $0.20/M`,
      cost: (apiRequests + bgInvocations) * prices.lambdaRequest,
    },
    {
      service: 'Lambda duration (arm64)',
      quantity: `${m(gbSeconds)} GB-s`,
      arithmetic: `${m(gbSeconds)} GB-s × $0.0000133334`,
      cost: gbSeconds * prices.lambdaGbSecond,
    },
    {
      service: 'API Gateway (HTTP API)',
      quantity: `${m(apiRequests)} requests (${m(polls)} console polls)`,
      arithmetic: `${m(apiRequests)} × $1.00/M`,
      cost: apiRequests * prices.httpApiRequest,
    },
    {
      service: 'DynamoDB writes (on demand)',
      quantity: `${m(writes)} WRU`,
      arithmetic: `${m(writes)} × $0.625/M`,
      cost: writes * prices.dynamoWrite,
    },
    {
      service: 'DynamoDB reads (on demand)',
      quantity: `${m(reads)} RRU`,
      arithmetic: `${m(reads)} × $0.125/M`,
      cost: reads * prices.dynamoRead,
    },
    {
      service: 'DynamoDB storage + PITR (after a year)',
      quantity: `${m(tableGb)} GB`,
      arithmetic: `${m(tableGb)} GB × ($0.25 + $0.20)`,
      cost: tableGb * (prices.dynamoStorageGb + prices.dynamoPitrGb),
    },
    {
      service: 'Step Functions (Standard)',
      quantity: `${m(t * perTicket.sfnTransitions)} transitions`,
      arithmetic: `${m(t)} tickets × ${perTicket.sfnTransitions} × $0.025/1000`,
      cost: t * perTicket.sfnTransitions * prices.sfnTransition,
    },
    {
      service: 'EventBridge',
      quantity: `${m(t * perTicket.events)} events`,
      arithmetic: `${m(t * perTicket.events)} × $1.00/M`,
      cost: t * perTicket.events * prices.eventBridgeEvent,
    },
    {
      service: 'SES',
      quantity: `${m(t * perTicket.emailsOut)} sent, ${m(t * perTicket.emailsIn)} received`,
      arithmetic: `${m(t * perTicket.emailsOut)} × $0.10/1000 + ${m(t * perTicket.emailsIn)} × $0.19/1000`,
      cost: t * perTicket.emailsOut * prices.sesOutbound + t * perTicket.emailsIn * prices.sesInbound,
    },
    {
      service: 'SNS SMS (+86)',
      quantity: `${m(t * perTicket.sms)} messages`,
      arithmetic: `${m(t * perTicket.sms)} × $0.035`,
      cost: t * perTicket.sms * prices.smsChina,
    },
    {
      service: 'S3 (mail, attachments; after a year)',
      quantity: `${m(s3Gb)} GB, ${m(t * perTicket.s3Puts)} PUTs`,
      arithmetic: `${m(s3Gb)} GB × $0.023 + ${m(t * perTicket.s3Puts)} × $0.005/1000`,
      cost: s3Gb * prices.s3StorageGb + t * perTicket.s3Puts * prices.s3Put,
    },
    {
      service: 'CloudFront (console)',
      quantity: `${m(agents * perAgentMonth.consoleGb)} GB, ${m(agents * perAgentMonth.consoleRequests)} requests`,
      arithmetic: `${m(agents * perAgentMonth.consoleGb)} GB × $0.085 + ${m(agents * perAgentMonth.consoleRequests)} × $0.01/10k`,
      cost:
        agents * perAgentMonth.consoleGb * prices.cloudFrontGb +
        agents * perAgentMonth.consoleRequests * prices.cloudFrontRequest,
    },
    {
      service: 'CloudWatch Logs',
      quantity: `${m(logGb)} GB ingested (kept 30 days)`,
      arithmetic: `${m(logGb)} GB × ($0.50 + $0.03)`,
      cost: logGb * (prices.logsIngestGb + prices.logsStorageGb),
    },
    {
      service: 'CloudWatch alarms, dashboard, metrics',
      quantity: `${alarms} alarms, 1 dashboard, ${metrics} metrics`,
      arithmetic: `${alarms} × $0.10 + $3 + ${metrics} × $0.30`,
      cost: alarms * prices.alarm + prices.dashboard + metrics * prices.customMetric,
    },
    {
      service: 'X-Ray (5% sampled)',
      quantity: `${m(traces)} traces`,
      arithmetic: `${m(traces)} × $5/M`,
      cost: traces * prices.xrayTrace,
    },
    {
      service: 'Cognito (Essentials)',
      quantity: `${agents} staff MAU`,
      arithmetic: `max(0, ${agents} − 10,000 free) × $0.015`,
      cost: Math.max(0, agents - 10_000) * prices.cognitoMau,
    },
    {
      service: 'KMS (table key)',
      quantity: `1 key, ${m((apiRequests + bgInvocations) / 100)} requests`,
      arithmetic: `$1 + ${m((apiRequests + bgInvocations) / 100)} × $0.03/10k`,
      cost: prices.kmsKey + ((apiRequests + bgInvocations) / 100) * prices.kmsRequest,
    },
  ];
  return { agents, lines };
}

/** The Markdown table docs/cost.md shows: both volumes side by side, with the arithmetic. */
export function costTable(
  volumes: readonly number[] = [10_000, 1_000_000],
  functions = functionCount(),
): string {
  const runs = volumes.map((v) => ({ v, ...estimate(v, functions) }));
  const header = `| service | ${runs.map((r) => `${m(r.v)} tickets (${r.agents} agents): arithmetic | $/month`).join(' | ')} |`;
  const rule = `| --- | ${runs.map(() => '--- | ---:').join(' | ')} |`;
  const rows = runs[0]!.lines.map(
    (line, i) =>
      `| ${line.service} | ${runs.map((r) => `${r.lines[i]!.arithmetic} | ${usd(r.lines[i]!.cost)}`).join(' | ')} |`,
  );
  const totals = runs.map((r) => r.lines.reduce((sum, l) => sum + l.cost, 0));
  const total = `| **total** | ${runs.map((r, i) => ` | **${usd(totals[i]!)}** (${usd((totals[i]! / r.v) * 1000)} per 1,000 tickets)`).join(' | ')} |`;
  return [header, rule, ...rows, total].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const volume = process.argv[2] ? [Number(process.argv[2])] : undefined;
  console.log(costTable(volume));
}
