/**
 * What the local gateway checks before it routes a request (docs/security.md, "The local runtime"):
 *
 * - `Host` must name this machine (`localhost`, `127.0.0.1`, `[::1]`) or a host the user configured
 *   (`--allow-host`, `GONGDAN_ALLOWED_HOSTS`). The runtime listens on loopback only, but a web page can
 *   still reach it through DNS rebinding (a name of the attacker's that resolves to 127.0.0.1): such a
 *   request carries the attacker's name as its Host, and `/dev/tokens` would hand it admin tokens.
 * - A browser's request must come from this runtime's own pages. Browsers say so in `Sec-Fetch-Site`
 *   (which no page can forge): `same-origin` and `none` (typed, bookmarked) pass, `same-site` and
 *   `cross-site` are refused. Without it, an `Origin` must be this runtime's own
 *   (`http://<allowed host>:<port>`); `null` is refused then. (A page with `Referrer-Policy: no-referrer`,
 *   like the portal, makes Chromium send `Origin: null` on its own same-origin form posts, so `Origin`
 *   alone cannot decide.)
 * - A `POST` to `/dev/*` with a body must say `application/json` (or the route's own type, e.g.
 *   `message/rfc822`): `text/plain`, form and multipart bodies are what a cross-site form can send
 *   without a CORS preflight.
 */

export interface GuardRefusal {
  status: 403 | 415;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export const loopbackHosts: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** `localhost:3000` → `localhost`; `[::1]:3000` → `[::1]`; lower case, no trailing dot. */
export function hostName(host: string): string {
  const trimmed = host.trim().toLowerCase();
  const name = trimmed.startsWith('[')
    ? trimmed.slice(0, trimmed.indexOf(']') + 1)
    : trimmed.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
}

/** The extra host names from `GONGDAN_ALLOWED_HOSTS` (comma-separated). */
export function allowedHostsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return (env.GONGDAN_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .map(hostName);
}

/** Checks Host and Origin; undefined when the request may go on. */
export function checkHostAndOrigin(input: {
  host: string | undefined;
  origin: string | undefined;
  /** The `Sec-Fetch-Site` header. */
  fetchSite?: string | undefined;
  port: number;
  allowedHosts: readonly string[];
}): GuardRefusal | undefined {
  const allowed = [...loopbackHosts, ...input.allowedHosts.map(hostName)];
  const host = input.host === undefined ? undefined : hostName(input.host);
  if (!host || !allowed.includes(host)) {
    return {
      status: 403,
      code: 'REQUEST.HOST_NOT_ALLOWED',
      message:
        'This local runtime answers only requests addressed to localhost (or a host allowed with --allow-host)',
      details: { host: host ?? null, allowed },
    };
  }
  const fetchSite = input.fetchSite?.trim().toLowerCase();
  if (fetchSite) {
    // The browser's own word: only this origin's pages (or the user, typing) may call in.
    if (fetchSite === 'same-origin' || fetchSite === 'none') return undefined;
  } else if (input.origin === undefined || isOwnOrigin(input.origin, allowed, input.port)) {
    return undefined;
  }
  return {
    status: 403,
    code: 'REQUEST.CROSS_SITE',
    message: 'Requests from another site’s pages are refused by the local runtime',
    details: { origin: input.origin ?? null, fetchSite: fetchSite ?? null },
  };
}

function isOwnOrigin(origin: string, allowed: readonly string[], port: number): boolean {
  try {
    const url = new URL(origin);
    return (
      url.protocol === 'http:' &&
      allowed.includes(hostName(url.host)) &&
      Number(url.port || 80) === port &&
      url.origin === origin.toLowerCase().replace(/\/$/, '')
    );
  } catch {
    return false; // `null` (sandboxed frames, file: pages, no-referrer pages) or garbage
  }
}

const json = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** Checks the body type of a `/dev/*` POST; undefined when it may go on. */
export function checkDevBodyType(input: {
  method: string;
  path: string;
  contentType: string | undefined;
  hasBody: boolean;
  /** The route's own body types (e.g. `message/rfc822`) besides JSON. */
  accepted?: readonly string[];
}): GuardRefusal | undefined {
  if (input.method !== 'POST' || !input.path.startsWith('/dev/')) return undefined;
  const type = input.contentType?.trim();
  if (!type) {
    if (!input.hasBody) return undefined;
  } else {
    const base = type.split(';')[0]!.trim().toLowerCase();
    if (json.test(type) || input.accepted?.includes(base)) return undefined;
  }
  return {
    status: 415,
    code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    message: `POST ${input.path} takes ${['application/json', ...(input.accepted ?? [])].join(' or ')}`,
    details: { contentType: type ?? null, accepted: ['application/json', ...(input.accepted ?? [])] },
  };
}
