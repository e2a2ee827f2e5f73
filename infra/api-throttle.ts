import type { GongdanSettings } from './settings.ts';

/**
 * What one signed-in console user asks of the API per second while a page is open (TanStack Query
 * polls only the visible tab): the ticket page refetches the ticket and its thread every 5 s (0.4/s),
 * the approvals badge every 10 s (0.1/s). The queue (one list every 3 s, plus the badge: 0.43/s) is
 * lighter; a supervisor's board (two queries every 3 s: 0.67/s) heavier, and supervisors are few.
 */
export const consoleRequestsPerAgent = 2 / 5 + 1 / 10;

/** Room above the steady polling for clicks, saves, retries and a morning's burst of sign-ins. */
export const throttleHeadroom = 2;

/**
 * The API stage's throttle: `apiRateLimit` / `apiBurstLimit` when set, otherwise sized from
 * `expectedAgents` (500 agents: 500 × 0.5 × 2 = 500 requests/s, burst 1,000), and the per-route limit
 * of each public route (portal, webhooks, e-mailed links), so a flood there cannot take the staff's share.
 */
export function apiThrottle(settings: GongdanSettings) {
  const rateLimit =
    settings.apiRateLimit ?? Math.ceil(settings.expectedAgents * consoleRequestsPerAgent * throttleHeadroom);
  return {
    rateLimit,
    burstLimit: settings.apiBurstLimit ?? Math.ceil(rateLimit * 2),
    publicRoutes: { rateLimit: settings.publicRouteRateLimit, burstLimit: settings.publicRouteBurstLimit },
  };
}
