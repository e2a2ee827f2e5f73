/** Per key, the promise that settles when everyone queued so far has had their turn. */
const tails = new Map<string, Promise<void>>();
/** Per key, how many turns have ended: a queue that keeps moving is waited for, however long it is. */
const ended = new Map<string, number>();

/** How long a writer waits with no turn ahead of it ending before it goes ahead and races anyway. */
export const defaultTurnWaitMs = 5_000;

/**
 * Runs `fn` once the writers of `key` that came before it in this process are done, so changes to one
 * ticket made by one process queue instead of racing: under contention (40 replies at once in the local
 * runtime, a batch of records in one dispatcher) each attempt then lands first time instead of most of
 * them losing the conditional write and being recomputed. Only an optimisation: correctness stays with
 * the version-conditioned write and its retry, which still settle races between processes (Lambdas).
 * A writer waits as long as the queue ahead of it moves; when no turn ends for `maxWaitMs` (a writer
 * stuck ahead, or a cycle of nested changes across tickets) it goes ahead, so it is delayed, never
 * blocked. A change function never changes its own ticket (its write would then always lose), so turns
 * need no re-entrancy — and no AsyncLocalStorage, whose promise hooks slow every await of a Node 20
 * process (measured when correlation ids used it).
 */
export async function inTurn<T>(
  key: string,
  fn: () => Promise<T>,
  maxWaitMs = defaultTurnWaitMs,
): Promise<T> {
  const previous = tails.get(key);
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous ? previous.then(() => done) : done;
  tails.set(key, tail);
  try {
    while (previous) {
      const before = ended.get(key) ?? 0;
      if (await settlesWithin(previous, maxWaitMs)) break;
      if ((ended.get(key) ?? 0) === before) break;
    }
    return await fn();
  } finally {
    release();
    ended.set(key, (ended.get(key) ?? 0) + 1);
    if (tails.get(key) === tail) {
      tails.delete(key);
      ended.delete(key);
    }
  }
}

/** Whether `promise` settled within `ms`. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
