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
  /** The body as received (base64 decoded), for `rawBody` routes: forms, signed webhooks. */
  rawBody?: Buffer;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A server-rendered page: sent as `text/html; charset=utf-8` instead of `body` as JSON. */
  html?: string;
}

/**
 * How a route's callers prove who they are. `jwt`: a bearer token, checked by the API Gateway
 * authorizer and again by `apiHandler`. `public`: anyone (the customer portal; the route applies its
 * own abuse controls). `hmac`: the route verifies a signature over the raw body itself (webhooks).
 */
export type RouteAuth = 'jwt' | 'public' | 'hmac';

/** AWS resources a route's function uses beyond the table and the bus, for least-privilege grants. */
export type RouteResource = 'mail' | 'attachments' | 'webhook-secrets';

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
  /** @default 'jwt'; `roles` applies to `jwt` routes only. */
  auth?: RouteAuth;
  /** Hand over the body as bytes (`request.rawBody`, up to `maxBodyBytes`) instead of parsing JSON. */
  rawBody?: boolean;
  uses?: readonly RouteResource[];
  handle(request: RouteRequest<B, Q>, deps: ApiDeps): Promise<HttpResult>;
}

export const defineRoute = <B = undefined, Q = undefined>(route: Route<B, Q>): Route<B, Q> => route;
