import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { AslDefinition, CheckpointTimerStates } from './checkpoint-timer.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The event log entries of aws-local-stepfunctions (the subset the timers read). */
export interface LocalTimerEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
}

export interface LocalExecution {
  name: string;
  /** What the execution is the timer of (the SLA timer's ticket id, the approval timer's approval id). */
  key: string;
  version: number;
  status: 'running' | 'succeeded' | 'failed' | 'aborted';
  events: LocalTimerEvent[];
  output?: unknown;
  error?: unknown;
  /** Settles when the execution has ended and its event log is complete. */
  finished: Promise<void>;
}

/** Local stand-ins for a timer's three task resources, keyed like the tasks. */
export interface LocalTimerHandlers {
  checkpoint(input: unknown): Promise<unknown>;
  evaluate(input: unknown): Promise<unknown>;
  /** Receives the PutEvents parameters (`{ Entries: [...] }`) of the timer's failure alert. */
  alert(input: unknown): Promise<unknown>;
  /** The degraded state's task (`{...request, failure}`), when the definition has one. */
  degraded?(input: unknown): Promise<unknown>;
}

export interface LocalTimerOptions {
  definition: AslDefinition;
  states: CheckpointTimerStates;
  handlers: LocalTimerHandlers;
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

export interface LocalTimer {
  readonly executions: readonly LocalExecution[];
  /** Starts execution `name` of `key` (a used name: idempotent while running with the same version). */
  start(name: string, key: string, version: number, input: unknown): Promise<{ executionName: string }>;
  /** Aborts `key`'s running executions. */
  stop(key: string): Promise<void>;
  /** The key's running execution, if any. */
  running(key: string): LocalExecution | undefined;
  /** Resolves when no execution is running (including ones started meanwhile). */
  idle(): Promise<void>;
}

/**
 * A checkpoint timer (`checkpoint-timer.ts`) on aws-local-stepfunctions: executions named like in AWS,
 * stoppable by what they time. Waits follow the definition (`TimestampPath`, i.e. real `Date.now()`)
 * unless `waitMs` overrides them.
 */
export function localTimer(options: LocalTimerOptions): LocalTimer {
  const machine = new StateMachine(options.definition as unknown as StateMachineDefinition);
  const names = options.states;
  const executions: LocalExecution[] = [];
  const aborts = new Map<LocalExecution, () => void>();

  const overrides = {
    taskResourceLocalHandlers: {
      [names.compute]: (input: Json) => options.handlers.checkpoint(input) as Promise<Json>,
      [names.evaluate]: (input: Json) => options.handlers.evaluate(input) as Promise<Json>,
      [names.alert]: (input: Json) => options.handlers.alert(input) as Promise<Json>,
      [names.degraded]: (input: Json) =>
        (options.handlers.degraded?.(input) ?? Promise.resolve({})) as Promise<Json>,
    },
    waitTimeOverrides: {
      ...(options.waitMs?.checkpoint !== undefined ? { [names.wait]: options.waitMs.checkpoint } : {}),
      ...(options.waitMs?.backoff !== undefined ? { [names.backoff]: options.waitMs.backoff } : {}),
    },
    retryIntervalOverrides:
      options.retryIntervalMs !== undefined
        ? Object.fromEntries(
            [names.compute, names.evaluate, names.alert, names.degraded].map((n) => [
              n,
              options.retryIntervalMs!,
            ]),
          )
        : {},
  };

  const running = (key: string) => executions.find((e) => e.key === key && e.status === 'running');

  async function start(name: string, key: string, version: number, input: unknown) {
    const existing = executions.find((e) => e.name === name);
    if (existing) {
      // Like StartExecution: the same name is idempotent only while running with the same input.
      if (existing.status === 'running' && existing.version === version) return { executionName: name };
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
      key,
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

  async function stop(key: string) {
    for (const execution of executions) {
      if (execution.key !== key || execution.status !== 'running') continue;
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
