import type { Connector, ConnectorsConfigParsed } from '../../domain/customer360/connectors.ts';
import type {
  ConnectorSecrets,
  CustomerLookup,
  LookupKeys,
  SourceAnswer,
} from '../../domain/customer360/customer-lookup.ts';
import type { FieldIssue } from '../../domain/errors.ts';
import type { Clock, Logger } from '../../domain/ports.ts';
import { retry, retryOnConflict } from '../../domain/retry.ts';
import { extractFields, pathProblem } from './answer-fields.ts';

export interface RestLookupOptions {
  secrets: ConnectorSecrets;
  clock: Clock;
  logger: Logger;
  /** The local runtime only: plain http to a loopback host (its own `/dev/crm` stand-in, a test's server). */
  allowLoopbackHttp: boolean;
  /** Which secret refs this runtime may read (in AWS: under the prefix the function is granted). */
  secretRefProblem?: (ref: string) => string | null;
  /** Largest answer read, in bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Answers kept at most (the oldest go first). Default 1000. */
  maxCacheEntries?: number;
  /** The back-off before a retry: up to this many ms, full jitter. Default 200. */
  backoffMs?: number;
  fetch?: typeof fetch;
}

const loopback = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Host literals that are never another company's system: loopback, private, link-local (instance metadata). */
function internalHost(hostname: string): boolean {
  if (loopback.has(hostname) || hostname.endsWith('.localhost')) return true;
  const v4 = hostname.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  // Any other IPv6 literal: refuse rather than classify (fc00::/7, fe80::/10, mapped v4…).
  return hostname.startsWith('[');
}

/** Why this runtime will not call `baseUrl`, or null. */
export function baseUrlProblem(baseUrl: string, allowLoopbackHttp: boolean): string | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'Not a URL';
  }
  if (url.username || url.password) return 'Put credentials in auth.secretRef, not in the URL';
  if (url.hash || url.search) return 'A base URL has no query or fragment; put them in path';
  if (url.protocol === 'http:') {
    return allowLoopbackHttp && loopback.has(url.hostname)
      ? null
      : 'Only https is called (plain http only to localhost, in the local runtime)';
  }
  if (url.protocol !== 'https:') return 'Only https is called';
  if (internalHost(url.hostname) && !(allowLoopbackHttp && loopback.has(url.hostname))) {
    return 'Loopback, private and link-local addresses are not called';
  }
  return null;
}

/**
 * The URL a connector calls for `keys`: `baseUrl` + `path` with each placeholder percent-encoded. It
 * must stay under `baseUrl` (same origin, path below it), whatever the keys hold.
 */
export function lookupUrl(connector: Pick<Connector, 'baseUrl' | 'path'>, keys: LookupKeys): URL | null {
  const base = new URL(connector.baseUrl);
  let missing = false;
  const path = connector.path.replace(/\{([^}]*)\}/g, (_, name: keyof LookupKeys) => {
    const value = keys[name];
    if (!value || value === '.' || value === '..') missing = true;
    return encodeURIComponent(value ?? '');
  });
  if (missing) return null;
  const url = new URL(`${base.href.replace(/\/$/, '')}${path}`);
  const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  if (url.origin !== base.origin || !`${url.pathname}/`.startsWith(prefix)) return null;
  return url;
}

type Outcome =
  | { kind: 'answer'; body: Buffer }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string; retryable: boolean };

const isTimeout = (error: unknown) =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

/**
 * The connector port over configured REST endpoints (docs/integrations.md, "Customer 360"): one GET per
 * source with its own timeout, one retry (by default) after a 5xx, a timeout or a refused connection
 * (the project's retry helper, a short full-jitter back-off), no redirects followed, answers capped in
 * size, the auth header read from the secret store, and good answers kept in memory per connector and
 * key for the connector's TTL (per process; per container in a Lambda).
 */
export function restCustomerLookup(options: RestLookupOptions): CustomerLookup {
  const doFetch = options.fetch ?? fetch;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const maxEntries = options.maxCacheEntries ?? 1000;
  const cache = new Map<string, { until: number; answer: SourceAnswer }>();

  async function once(url: URL, connector: Connector, headers: Record<string, string>): Promise<Outcome> {
    try {
      const response = await doFetch(url, {
        method: 'GET',
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(connector.timeoutMs),
      });
      if (response.status >= 300) {
        // Drain nothing: the answer is not ours to read.
        await response.body?.cancel().catch(() => {});
        const retryable = response.status >= 500;
        const message =
          response.status < 400
            ? `Answered with a redirect (HTTP ${response.status}), which is not followed`
            : response.status === 404
              ? 'Not found in this system (HTTP 404)'
              : response.status === 401 || response.status === 403
                ? `Refused our credentials (HTTP ${response.status})`
                : `Answered HTTP ${response.status}`;
        return { kind: 'error', message, retryable };
      }
      const length = Number(response.headers.get('content-length') ?? '0');
      if (length > maxBytes) {
        await response.body?.cancel().catch(() => {});
        return { kind: 'error', message: `The answer is larger than ${maxBytes} bytes`, retryable: false };
      }
      const body = Buffer.from(await response.arrayBuffer());
      if (body.length > maxBytes) {
        return { kind: 'error', message: `The answer is larger than ${maxBytes} bytes`, retryable: false };
      }
      return { kind: 'answer', body };
    } catch (error) {
      if (isTimeout(error)) return { kind: 'timeout' };
      return { kind: 'error', message: 'Could not connect', retryable: true };
    }
  }

  return {
    async look(connector, keys, { refresh, configVersion }) {
      const cacheKey = `${connector.name}#${configVersion}#${JSON.stringify(keys)}`;
      const hit = cache.get(cacheKey);
      if (hit && !refresh && hit.until > Date.now()) return { ...hit.answer, cached: true };

      const fetchedAt = () => options.clock.now().toISOString();
      const fail = (status: SourceAnswer['status'], message: string): SourceAnswer => ({
        status,
        fields: [],
        fetchedAt: fetchedAt(),
        cached: false,
        message,
      });
      const url = lookupUrl(connector, keys);
      const urlProblem = baseUrlProblem(connector.baseUrl, options.allowLoopbackHttp);
      if (!url || urlProblem) return fail('error', urlProblem ?? 'The lookup key cannot be put in the URL');

      const headers: Record<string, string> = { accept: 'application/json' };
      if (connector.auth) {
        let secret: string | undefined;
        try {
          secret = await options.secrets.read(connector.auth.secretRef);
        } catch (error) {
          options.logger.warn('customer360.secret_unreadable', {
            connector: connector.name,
            error: error instanceof Error ? error.name : 'unknown',
          });
          return fail('error', `The secret ${connector.auth.secretRef} cannot be read`);
        }
        if (!secret) return fail('error', `The secret ${connector.auth.secretRef} is not set`);
        headers[connector.auth.header.toLowerCase()] = connector.auth.scheme
          ? `${connector.auth.scheme} ${secret}`
          : secret;
      }

      const started = performance.now();
      let last: Outcome = { kind: 'timeout' };
      let attempts = 0;
      try {
        await retryOnConflict(
          async (n) => {
            attempts = n;
            last = await once(url, connector, headers);
            const again = last.kind === 'timeout' || (last.kind === 'error' && last.retryable);
            return again ? retry : last;
          },
          {
            maxAttempts: connector.retries + 1,
            baseDelayMs: options.backoffMs ?? 200,
            maxDelayMs: options.backoffMs ?? 200,
            budgetMs: 30_000,
            exhausted: () => new Error('exhausted'),
          },
        );
      } catch {
        // Every try failed: `last` says how.
      }
      const tries = attempts === 1 ? '1 try' : `${attempts} tries`;
      const outcome = last as Outcome;
      let answer: SourceAnswer;
      if (outcome.kind === 'timeout') {
        answer = fail('timeout', `No answer within ${connector.timeoutMs} ms (${tries})`);
      } else if (outcome.kind === 'error') {
        answer = fail('error', `${outcome.message} (${tries})`);
      } else {
        let parsed: unknown;
        let json = true;
        try {
          parsed = JSON.parse(outcome.body.toString('utf8'));
        } catch {
          json = false;
        }
        const extracted = json
          ? extractFields(parsed, connector.fields)
          : ({ ok: false, message: 'The answer is not JSON' } as const);
        answer = extracted.ok
          ? { status: 'ok', fields: extracted.fields, fetchedAt: fetchedAt(), cached: false }
          : fail('malformed', extracted.message);
      }
      options.logger.info('customer360.source', {
        connector: connector.name,
        status: answer.status,
        attempts,
        ms: Math.round(performance.now() - started),
      });
      if (answer.status === 'ok' && connector.cacheTtlSeconds > 0) {
        cache.delete(cacheKey);
        cache.set(cacheKey, { until: Date.now() + connector.cacheTtlSeconds * 1000, answer });
        while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      }
      return answer;
    },

    problems(config: ConnectorsConfigParsed): FieldIssue[] {
      const issues: FieldIssue[] = [];
      for (const [i, c] of config.connectors.entries()) {
        const urlIssue = baseUrlProblem(c.baseUrl, options.allowLoopbackHttp);
        if (urlIssue)
          issues.push({ path: `connectors.${i}.baseUrl`, message: urlIssue, code: 'url_refused' });
        for (const [j, f] of c.fields.entries()) {
          const problem = pathProblem(f.path);
          if (problem)
            issues.push({ path: `connectors.${i}.fields.${j}.path`, message: problem, code: 'bad_path' });
        }
        const refIssue = c.auth && options.secretRefProblem?.(c.auth.secretRef);
        if (refIssue)
          issues.push({ path: `connectors.${i}.auth.secretRef`, message: refIssue, code: 'secret_refused' });
      }
      return issues;
    },
  };
}
