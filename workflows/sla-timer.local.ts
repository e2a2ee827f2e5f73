import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { SlaTimerInput, WorkflowStarter } from '#shared/domain/sla/timer.ts';
import { slaExecutionName } from '#shared/domain/sla/timer.ts';
import { type AslDefinition, slaTimerStates, synthesizeSlaTimerAsl } from './sla-timer.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The event log entries of aws-local-stepfunctions (the subset the timer reads). */
export interface LocalTimerEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
}

export interface LocalExecution {
  name: string;
  ticketId: string;
  version: number;
  status: 'running' | 'succeeded' | 'failed' | 'aborted';
  events: LocalTimerEvent[];
  output?: unknown;
  error?: unknown;
  /** Settles when the execution has ended and its event log is complete. */
  finished: Promise<void>;
}

/** Local stand-ins for the timer's three task resources, keyed like the tasks. */
export interface LocalSlaTimerHandlers {
  checkpoint(input: unknown): Promise<unknown>;
  evaluate(input: unknown): Promise<unknown>;
  /** Receives the PutEvents parameters (`{ Entries: [...] }`) of a `sla.timer_failed` alert. */
  alert(input: unknown): Promise<unknown>;
}

export interface LocalSlaTimerOptions {
  /** @default the synthesized definition */
  definition?: AslDefinition;
  handlers: LocalSlaTimerHandlers;
  /** Fixed wait lengths in real ms instead of the TimestampPath / backoff (tests step time themselves). */
  waitMs?: { checkpoint?: number; backoff?: number };
  /** Real ms between retries instead of the definition's backoff. */
  retryIntervalMs?: number;
  /** Called for every event of every execution, in order, as it happens. */
  onEvent?(execution: LocalExecution, event: LocalTimerEvent): void;
}

export class ExecutionAlreadyExists extends Error {
  constructor(name: string) {
    super(`Execution ${name} already exists`);
    this.name = 'ExecutionAlreadyExists';
  }
}

export interface LocalSlaTimer extends WorkflowStarter {
  readonly executions: readonly LocalExecution[];
  /** The ticket's running execution, if any. */
  running(ticketId: string): LocalExecution | undefined;
  /** Resolves when no execution is running (including ones started meanwhile). */
  idle(): Promise<void>;
}

/**
 * The SLA timer on aws-local-stepfunctions, behind the same `WorkflowStarter` port as Step Functions:
 * one execution per ticket and version, named like in AWS, stoppable by ticket. Used by the workflow
 * tests and the local runtime; waits follow the definition (`TimestampPath`, i.e. real `Date.now()`)
 * unless `waitMs` overrides them.
 */
export function localSlaTimer(options: LocalSlaTimerOptions): LocalSlaTimer {
  const definition = (options.definition ?? synthesizeSlaTimerAsl()) as unknown as StateMachineDefinition;
  const machine = new StateMachine(definition);
  const names = slaTimerStates;
  const executions: LocalExecution[] = [];
  const aborts = new Map<LocalExecution, () => void>();

  const overrides = {
    taskResourceLocalHandlers: {
      [names.compute]: (input: Json) => options.handlers.checkpoint(input) as Promise<Json>,
      [names.evaluate]: (input: Json) => options.handlers.evaluate(input) as Promise<Json>,
      [names.alert]: (input: Json) => options.handlers.alert(input) as Promise<Json>,
    },
    waitTimeOverrides: {
      ...(options.waitMs?.checkpoint !== undefined ? { [names.wait]: options.waitMs.checkpoint } : {}),
      ...(options.waitMs?.backoff !== undefined ? { [names.backoff]: options.waitMs.backoff } : {}),
    },
    retryIntervalOverrides:
      options.retryIntervalMs !== undefined
        ? Object.fromEntries(
            [names.compute, names.evaluate, names.alert].map((n) => [n, options.retryIntervalMs!]),
          )
        : {},
  };

  const running = (ticketId: string) =>
    executions.find((e) => e.ticketId === ticketId && e.status === 'running');

  async function start(ticketId: string, version: number, input: SlaTimerInput) {
    const name = slaExecutionName(ticketId, version);
    const existing = executions.find((e) => e.name === name);
    if (existing) {
      // Like StartExecution: the same name is idempotent only while running with the same input.
      if (existing.status === 'running' && existing.version === input.version) return { executionName: name };
      throw new ExecutionAlreadyExists(name);
    }
    const { result, abort, eventLogs } = machine.run(input as unknown as Json, {
      overrides,
      noThrowOnAbort: true,
      context: { Execution: { Name: name, Id: `local:${name}` } },
    });
    let settle!: () => void;
    const execution: LocalExecution = {
      name,
      ticketId,
      version,
      status: 'running',
      events: [],
      finished: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    executions.push(execution);
    aborts.set(execution, abort);

    const logs = (async () => {
      for await (const event of eventLogs) {
        const entry = event as unknown as LocalTimerEvent;
        execution.events.push(entry);
        options.onEvent?.(execution, entry);
        if (entry.type === 'ExecutionAborted') break;
      }
    })();
    result.then(
      (output) => {
        if (execution.status === 'running') execution.status = 'succeeded';
        execution.output = output;
      },
      (error: unknown) => {
        execution.status = 'failed';
        execution.error = error;
      },
    );
    void Promise.allSettled([result, logs]).then(() => {
      aborts.delete(execution);
      settle();
    });
    return { executionName: name };
  }

  async function stop(ticketId: string) {
    for (const execution of executions) {
      if (execution.ticketId !== ticketId || execution.status !== 'running') continue;
      execution.status = 'aborted';
      aborts.get(execution)?.();
    }
  }

  async function idle() {
    for (;;) {
      const active = executions.filter((e) => e.status === 'running');
      if (active.length === 0) return;
      await Promise.all(active.map((e) => e.finished));
    }
  }

  return { start, stop, running, idle, executions };
}

/**
 * State transitions of one execution, as Step Functions bills them: every state entered, and every
 * retry of a state.
 */
export const transitionsOf = (execution: Pick<LocalExecution, 'events'>): number =>
  execution.events.filter((e) => e.type === 'StateEntered' || e.type === 'StateRetried').length;
