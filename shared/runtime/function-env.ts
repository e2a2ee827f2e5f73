import { exportsEnv, observabilityEnv, reportsEnv } from './env.ts';
import { authEnv } from './wire-auth.ts';
import { channelsEnv } from './wire-channels.ts';
import { importsEnv } from './wire-imports.ts';
import { insightJobsEnv } from './wire-insights.ts';
import { reactionsEnv } from './wire-reactions.ts';
import { slaEvaluateEnv, slaReconcileEnv } from './wire-sla-timer.ts';
import { ticketsEnv } from './wire-tickets.ts';
import { webhooksOutEnv } from './wire-webhooks-out.ts';

/**
 * The environment of each kind of function: the union of the wirings it composes (shared/runtime/
 * lambda.ts and the handlers). The stack sets exactly these (`GongdanFunction.setEnvironment`), and the
 * infra tests check every synthesized function against its kind.
 */
export const functionEnv = {
  api: { ...observabilityEnv, ...ticketsEnv, ...authEnv },
  channelApi: { ...observabilityEnv, ...ticketsEnv, ...authEnv, ...channelsEnv },
  intake: { ...observabilityEnv, ...ticketsEnv, ...channelsEnv },
  slaCheckpoint: { ...observabilityEnv, ...ticketsEnv },
  slaEvaluate: { ...observabilityEnv, ...ticketsEnv, ...slaEvaluateEnv },
  slaTimerDegraded: { ...observabilityEnv, ...ticketsEnv },
  slaReconcile: { ...observabilityEnv, ...ticketsEnv, ...slaReconcileEnv },
  approvalTimer: { ...observabilityEnv, ...ticketsEnv },
  routingSweep: { ...observabilityEnv, ...ticketsEnv },
  reactions: { ...observabilityEnv, ...ticketsEnv, ...reactionsEnv },
  // Bulk import (docs/import.md): its API routes, and the state machine's steps.
  importApi: { ...observabilityEnv, ...ticketsEnv, ...authEnv, ...importsEnv },
  importStep: { ...observabilityEnv, ...ticketsEnv, ...importsEnv },
  /** Exports written to files: the worker `POST /exports` starts (docs/export.md). */
  exportRun: { ...observabilityEnv, ...ticketsEnv, ...exportsEnv },
  /** Outbound webhooks' fan-out and retries (infra/constructs/webhooks-out.ts). */
  webhooksOut: { ...observabilityEnv, ...ticketsEnv, ...webhooksOutEnv },
  /** Report routes over the analytics lake (docs/analytics.md): Athena's workgroup and the Glue database. */
  reportApi: { ...observabilityEnv, ...ticketsEnv, ...authEnv, ...reportsEnv },
  /** The insight jobs (infra/constructs/insights.ts): Athena, the table, the bus, e-mail, the console link. */
  insightJob: { ...observabilityEnv, ...ticketsEnv, ...reportsEnv, ...insightJobsEnv },
} as const;

export type FunctionKind = keyof typeof functionEnv;
