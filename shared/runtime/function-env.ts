import { observabilityEnv } from './env.ts';
import { authEnv } from './wire-auth.ts';
import { channelsEnv } from './wire-channels.ts';
import { reactionsEnv } from './wire-reactions.ts';
import { slaEvaluateEnv, slaReconcileEnv } from './wire-sla-timer.ts';
import { ticketsEnv } from './wire-tickets.ts';

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
} as const;

export type FunctionKind = keyof typeof functionEnv;
