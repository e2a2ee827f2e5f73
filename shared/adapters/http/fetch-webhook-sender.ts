import type { AttemptOutcome } from '../../domain/webhooks-out/delivery.ts';
import type { WebhookSender } from '../../domain/webhooks-out/webhooks-out.ports.ts';

/**
 * POSTs with Node's fetch: a timeout per attempt (the whole exchange, body included), no redirects
 * followed (a 3xx is the receiver's answer), the answer's body read and dropped (never logged).
 */
export function fetchWebhookSender(): WebhookSender {
  return {
    async post({ url, body, headers, timeoutMs }): Promise<AttemptOutcome> {
      const started = performance.now();
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal });
        await response.arrayBuffer().catch(() => undefined);
        if (signal.aborted) return { kind: 'timeout', durationMs: performance.now() - started };
        return {
          kind: 'answer',
          statusCode: response.status,
          retryAfter: response.headers.get('retry-after'),
          durationMs: performance.now() - started,
        };
      } catch (error) {
        const durationMs = performance.now() - started;
        if (signal.aborted) return { kind: 'timeout', durationMs };
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        return {
          kind: 'network',
          message: cause?.code ?? cause?.message ?? (error as Error).message,
          durationMs,
        };
      }
    },
  };
}
