/**
 * A circuit breaker per receiving endpoint. Closed: deliveries go. After `threshold` consecutive failed
 * attempts it opens: deliveries are deferred (kept, not dropped) until `coolDownMs` has passed; then it
 * is half-open and one delivery is let through as a probe (the others still wait); the probe's success
 * closes it, its failure opens it again for another cool-down. The store writes each transition on
 * condition of the version it read, so two deliverers never both take the probe.
 */
export interface Breaker {
  state: 'closed' | 'open' | 'half-open';
  /** Consecutive failed attempts. */
  failures: number;
  /** Open: when a probe may go. Half-open: when the probe is presumed lost (another may go). */
  until?: string;
  openedAt?: string;
  /** 0 for a breaker never written. */
  version: number;
}

export interface BreakerPolicy {
  threshold: number;
  coolDownMs: number;
  /** How long a half-open probe holds the breaker before another delivery may probe. */
  probeHoldMs: number;
}

export const defaultBreakerPolicy: BreakerPolicy = {
  threshold: 5,
  coolDownMs: 5 * 60_000,
  probeHoldMs: 60_000,
};

export const closedBreaker: Breaker = { state: 'closed', failures: 0, version: 0 };

/**
 * Whether a delivery may go now. `go` with `next` to write first (conditionally) when the delivery takes
 * the half-open probe; `defer` with when to look again.
 */
export type BreakerDecision =
  | { kind: 'go'; next?: Breaker }
  | { kind: 'defer'; until: string; reason: 'circuit-open' | 'probe-in-flight' };

export function admit(b: Breaker, now: Date, policy: BreakerPolicy = defaultBreakerPolicy): BreakerDecision {
  if (b.state === 'closed') return { kind: 'go' };
  const until = b.until ? Date.parse(b.until) : 0;
  if (now.getTime() < until) {
    return {
      kind: 'defer',
      until: b.until!,
      reason: b.state === 'open' ? 'circuit-open' : 'probe-in-flight',
    };
  }
  // Cool-down over (or a probe presumed lost): this delivery probes, and holds the breaker meanwhile.
  return {
    kind: 'go',
    next: {
      ...b,
      state: 'half-open',
      until: new Date(now.getTime() + policy.probeHoldMs).toISOString(),
      version: b.version + 1,
    },
  };
}

/** The breaker after an attempt: a success closes it; a failure counts, and opens it at the threshold. */
export function record(
  b: Breaker,
  succeeded: boolean,
  now: Date,
  policy: BreakerPolicy = defaultBreakerPolicy,
): Breaker {
  if (succeeded) return { state: 'closed', failures: 0, version: b.version + 1 };
  const failures = b.failures + 1;
  if (b.state === 'half-open' || failures >= policy.threshold) {
    return {
      state: 'open',
      failures,
      openedAt: now.toISOString(),
      until: new Date(now.getTime() + policy.coolDownMs).toISOString(),
      version: b.version + 1,
    };
  }
  return { ...b, failures, version: b.version + 1 };
}

/** Whether writing `next` changes anything worth a write (a success on a closed, clean breaker does not). */
export const changes = (b: Breaker, next: Breaker) =>
  b.state !== next.state || b.failures !== next.failures || b.until !== next.until;
