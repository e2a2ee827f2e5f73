import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { Actor, Role } from '../domain/actor.ts';
import type { VerifyToken } from '../domain/auth.ts';
import type { Logger } from '../domain/ports.ts';
import type { TicketDeps } from '../use-cases/deps.ts';

/** What `apiHandler` itself needs: the token verifier, and a logger for faults. */
export interface RouteDeps {
  verifyToken: VerifyToken;
  logger: Logger;
}

/** What most routes use: the ticket use cases' ports and the token verifier. */
export interface ApiDeps extends TicketDeps, RouteDeps {}

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
  /** A file (the portal's script, its logo): sent as is, base64-encoded, with `headers`' content-type. */
  bytes?: Buffer;
  /**
   * A file produced as it is sent (the ticket export): streamed by the local runtime, collected whole by
   * a Lambda (up to API Gateway's limit, else a 413): see streamed-body.ts.
   */
  stream?: Readable;
}

/**
 * How a route's callers prove who they are. `jwt`: a bearer token, checked by the API Gateway
 * authorizer and again by `apiHandler`. `public`: anyone (the customer portal; the route applies its
 * own abuse controls). `hmac`: the route verifies a signature over the raw body itself (webhooks).
 */
export type RouteAuth = 'jwt' | 'public' | 'hmac';

/** A request header a route reads, as the OpenAPI document lists it. */
export interface RouteHeader {
  name: string;
  description: string;
  required?: boolean;
}

/** One answer of a route, as the OpenAPI document lists it. */
export interface RouteResponse {
  status: number;
  description: string;
  /** The JSON body's schema (its output side); a generic object when absent. */
  body?: z.ZodType;
  /** A server-rendered HTML page instead of JSON. */
  html?: boolean;
  /**
   * A file of one of these media types instead of JSON (`HttpResult.bytes`); with `body` too, either (the
   * reports' `format=json|csv|xlsx`).
   */
  files?: readonly string[];
  /** Response headers by name, each with what it holds. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * What the API's OpenAPI document (`docs/openapi.json`, `shared/http/openapi.ts`) cannot read from the
 * route's schemas. Documentation only: nothing here changes how the route runs.
 */
export interface RouteDoc {
  /** Headers it reads; `If-Match` also documents the 409 and 412 answers. */
  headers?: readonly RouteHeader[];
  /** What a `rawBody` route accepts: the media types, and what the bytes are. */
  rawBody?: { mediaTypes: readonly string[]; description: string };
  /** Its own answers (the standard errors are added); without them, a 200 with a JSON object. */
  responses?: readonly RouteResponse[];
}

/** AWS resources a route's function uses beyond the table and the bus, for least-privilege grants. */
export type RouteResource =
  | 'mail'
  | 'attachments'
  | 'webhook-secrets'
  // Customer 360's auth headers: SSM parameters / secrets under the connectors' prefix (docs/integrations.md).
  | 'connector-secrets'
  // Outbound webhooks' signing secrets: Secrets Manager secrets under their prefix (docs/integrations.md).
  | 'webhooks-out-secrets'
  // Bulk import (docs/import.md): the import bucket and state machine; these routes live in the Imports nested stack.
  | 'imports'
  // Exports written to files (docs/export.md): the `exports/` keys of the import bucket.
  | 'exports'
  // Lake reports (docs/analytics.md): Athena queries in the analytics workgroup (`Analytics.grantQuery`).
  | 'reports';

/** A DynamoDB write action, as IAM names it (without `dynamodb:`). */
export type TableWriteAction =
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem'
  | 'BatchWriteItem';

/**
 * What a write route writes when that is less than the whole table: the write actions it uses and the
 * partition keys it writes under (a key ending in `#` is a prefix). The stack grants exactly these, as
 * IAM `dynamodb:LeadingKeys` conditions; test/integration/table-write-scopes.test.ts checks the code
 * stays inside them.
 */
export interface TableWrites {
  actions: readonly TableWriteAction[];
  partitionKeys: readonly string[];
}

/**
 * One HTTP API route, defined once and used three ways: the Lambda handler (`functions/<name>/handler.ts`),
 * the CDK stack (one function and one API route each) and the local runtime's HTTP server.
 */
export interface Route<B = unknown, Q = unknown, D extends RouteDeps = ApiDeps> {
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
  /** With `access: 'write'`: only these writes (public routes, and reads that record a view). */
  writes?: TableWrites;
  /** @default 'jwt'; `roles` applies to `jwt` routes only. */
  auth?: RouteAuth;
  /** Hand over the body as bytes (`request.rawBody`, up to `maxBodyBytes`) instead of parsing JSON. */
  rawBody?: boolean;
  uses?: readonly RouteResource[];
  doc?: RouteDoc;
  handle(request: RouteRequest<B, Q>, deps: D): Promise<HttpResult>;
}

/** A route; `D` is what its handler needs (channel routes also take the channels' ports). */
export const defineRoute = <B = undefined, Q = undefined, D extends RouteDeps = ApiDeps>(
  route: Route<B, Q, D>,
): Route<B, Q, D> => route;
