import type { z } from 'zod';
import type { VerifyToken } from '../adapters/auth/jwt-verifier.ts';
import type { ChannelDeps } from '../channels/ports.ts';
import type { Actor, Role } from '../domain/actor.ts';
import type { TicketDeps } from '../use-cases/deps.ts';

/** Everything a route handler can use: the ticket use cases' ports and the token verifier. */
export interface ApiDeps extends TicketDeps {
  verifyToken: VerifyToken;
  /** The channels' ports (portal, webhooks, customer mail), where the function or runtime has them. */
  channels?: ChannelDeps;
}

export interface RouteRequest<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  actor: Actor;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * One HTTP API route, defined once and used three ways: the Lambda handler (`functions/<name>/handler.ts`),
 * the CDK stack (one function and one API route each) and the local runtime's HTTP server.
 */
export interface Route<B = unknown, Q = unknown> {
  /** The function's folder under `functions/`, e.g. `create-ticket`. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path template, e.g. `/tickets/{id}`. */
  path: string;
  /** Roles allowed to call it. */
  roles: readonly Role[];
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Largest accepted request body; larger is a 413. */
  maxBodyBytes?: number;
  /** What it needs from the ticket table, for least-privilege grants. */
  access: 'read' | 'write';
  handle(request: RouteRequest<B, Q>, deps: ApiDeps): Promise<HttpResult>;
}

export const defineRoute = <B = undefined, Q = undefined>(route: Route<B, Q>): Route<B, Q> => route;
