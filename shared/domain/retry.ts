/** Returned by an attempt that lost a race (a version moved, a condition failed): try again. */
export const retry: unique symbol = Symbol('retry');
export type Retry = typeof retry;

export interface RetryOptions {
  /**
   * How long losing keeps being retried, in ms of real time (a write that keeps losing is contention,
   * not a fault: it applies once the others are through). Default 8 s, inside an API function's 10 s.
   */
  budgetMs?: number;
  /** At most this many attempts, whatever the budget (e.g. when each attempt is itself expensive). */
  maxAttempts?: number;
  /** The first back-off's upper bound in ms; it doubles per attempt up to `maxDelayMs`. Default 5. */
  baseDelayMs?: number;
  /** Default 250. */
  maxDelayMs?: number;
  /** The error to throw when the budget or the attempts run out. */
  exhausted: () => Error;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The one optimistic-concurrency loop: runs `attempt` until it returns something other than `retry`,
 * backing off with full jitter (random up to base · 2ⁿ, capped) between tries, so racing writers spread
 * out instead of colliding again. An error thrown by `attempt` ends the loop at once.
 */
export async function retryOnConflict<T>(
  attempt: (n: number) => Promise<T | Retry>,
  options: RetryOptions,
): Promise<T> {
  const deadline = performance.now() + (options.budgetMs ?? 8000);
  const base = options.baseDelayMs ?? 5;
  const cap = options.maxDelayMs ?? 250;
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if (result !== retry) return result;
    if ((options.maxAttempts !== undefined && n >= options.maxAttempts) || performance.now() >= deadline) {
      throw options.exhausted();
    }
    await sleep(Math.random() * Math.min(cap, base * 2 ** (n - 1)));
  }
}
