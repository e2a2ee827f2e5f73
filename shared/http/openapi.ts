import * as z from 'zod';
import { Message } from '../domain/ticket/message.ts';
import { Ticket } from '../domain/ticket/ticket.entity.ts';
import { defaultMaxBodyBytes } from './api-handler.ts';
import type { Route, RouteResponse } from './route.ts';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) or any other plain JSON object of the document. */
type Json = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** A field-level problem of a 400 (`FieldIssue` in shared/domain/errors.ts, made by `fieldIssues`). */
const FieldIssue = z.object({
  path: z.string().meta({
    description: 'The field, dotted (`customer.email`); `(body)` for the body as a whole',
  }),
  message: z.string(),
  code: z.string().optional().meta({ description: 'What is wrong with it, e.g. `invalid_type`, `too_big`' }),
});

/** Every error the API answers (`httpErrors` in api-handler.ts; the local gateway answers the same). */
const ErrorBody = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable, e.g. `REQUEST.INVALID`, `TICKET.ILLEGAL_TRANSITION`' }),
    message: z.string().meta({ description: 'What went wrong, safe to show' }),
    details: z
      .looseObject({
        fields: z.array(FieldIssue).optional().meta({ description: 'On `REQUEST.INVALID`: each bad field' }),
      })
      .optional()
      .meta({ description: 'More about it; what depends on the code' }),
  }),
});

/** Schemas emitted once under `components.schemas` and referenced wherever they occur. */
const components = new Map<unknown, string>([
  [Ticket, 'Ticket'],
  [Message, 'Message'],
  [ErrorBody, 'Error'],
  [FieldIssue, 'FieldIssue'],
]);

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * The API's OpenAPI 3.1 document, from the routes' own zod schemas (the ones `apiHandler` validates
 * with): one operation per route, its query and path parameters, its body, its answers and the standard
 * errors, bearer-token security on `jwt` routes.
 */
export function openApiDocument(routes: readonly Route<unknown, unknown, never>[], info: OpenApiInfo): Json {
  const schemas: Record<string, Json> = {};
  for (const [schema, name] of components) {
    const hoisted = hoist(jsonSchema(schema as z.ZodType, 'output', true), name, schemas);
    // A recursive component is already in place, its root references under its own name.
    if (hoisted.$ref !== ref(name).$ref) schemas[name] = hoisted;
  }
  const paths: Record<string, Record<string, unknown>> = {};
  const tags: string[] = [];
  for (const route of routes) {
    const path = route.path.replace(/\{([^}+]+)\+\}/g, '{$1}');
    const tag = (route.path.split('/')[1] ?? '').replace(/\.\w+$/, '') || '/';
    if (!tags.includes(tag)) tags.push(tag);
    paths[path] ??= pathParameters(path);
    paths[path][route.method.toLowerCase()] = operation(route, tag, schemas);
  }
  return {
    openapi: '3.1.0',
    info,
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A user-pool ID token; locally, one from `GET /dev/tokens`',
        },
      },
    },
  };
}

function operation(route: Route<unknown, unknown, never>, tag: string, schemas: Record<string, Json>): Json {
  const auth = route.auth ?? 'jwt';
  const headers = route.doc?.headers ?? [];
  const reads = (name: string) => headers.some((h) => h.name.toLowerCase() === name);
  const query = route.query ? queryParameters(route.query, route.name, schemas) : undefined;
  const parameters = [
    ...(query?.parameters ?? []),
    ...headers.map((h) => ({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: { type: 'string' },
    })),
  ];
  const requestBody = route.rawBody
    ? rawRequestBody(route)
    : route.body
      ? {
          required: true,
          description: `Up to ${bytes(route.maxBodyBytes ?? defaultMaxBodyBytes)}`,
          content: {
            'application/json': {
              schema: hoist(jsonSchema(route.body, 'input'), `${pascal(route.name)}Body`, schemas),
            },
          },
        }
      : undefined;

  const responses: Record<string, unknown> = {};
  const own = route.doc?.responses ?? [{ status: 200, description: 'OK' }];
  for (const response of own) responses[response.status] = answer(response, route.name, schemas);
  const error = (status: number, description: string) => {
    responses[status] ??= { description, content: { 'application/json': { schema: ref('Error') } } };
  };
  if (route.body || route.rawBody || query?.validated || reads('if-match') || reads('idempotency-key')) {
    error(
      400,
      route.body
        ? 'Invalid request: `REQUEST.INVALID` lists each bad field in `details.fields`; ' +
            '`REQUEST.MALFORMED_JSON` when the body is not JSON'
        : route.rawBody
          ? 'The body is not valid; the code says how'
          : 'Invalid query parameter or header: `REQUEST.INVALID` lists each in `details.fields`',
    );
  }
  if (auth === 'jwt') {
    error(
      401,
      'No bearer token (`AUTH.MISSING_TOKEN`), or one that does not verify (`AUTH.INVALID_TOKEN`); in AWS ' +
        'the gateway\'s authorizer may answer first, with `{"message": "Unauthorized"}`',
    );
    error(403, "None of the token's roles may call this (`AUTH.FORBIDDEN`), or not on this resource");
  }
  if (auth === 'hmac') error(401, 'Signature or timestamp missing, stale or not matching the body');
  if (/\{[^}]+\}/.test(route.path)) error(404, 'Nothing with that id (one that cannot exist included)');
  if (reads('if-match')) {
    error(409, 'The change conflicts with the current state, e.g. `TICKET.ILLEGAL_TRANSITION`');
    error(412, '`If-Match` names a version that is no longer current: reload and try again');
  }
  if (route.body || route.rawBody) {
    error(
      413,
      `The body is larger than ${bytes(route.maxBodyBytes ?? defaultMaxBodyBytes)} (\`REQUEST.TOO_LARGE\`)`,
    );
  }
  if (route.body && !route.rawBody) error(415, 'The body is not `application/json`');
  if (reads('idempotency-key')) error(422, 'The `Idempotency-Key` was used before with another body');
  error(
    503,
    'The ticket store is unavailable for a moment (`SERVICE.UNAVAILABLE`): try again after `Retry-After` seconds',
  );

  return {
    operationId: route.name,
    tags: [tag],
    description:
      auth === 'jwt'
        ? `Roles: ${route.roles.join(', ')}`
        : auth === 'public'
          ? 'Public: no token'
          : "No token: signed with the source's secret (HMAC-SHA256 over timestamp and raw body)",
    security: auth === 'jwt' ? [{ bearerAuth: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

function answer(response: RouteResponse, routeName: string, schemas: Record<string, Json>): Json {
  const headers = Object.entries(response.headers ?? {});
  const files = response.files?.map((m) => [m, { schema: { type: 'string', format: 'binary' } }]);
  const json = () => ({
    'application/json': {
      schema: response.body
        ? hoist(jsonSchema(response.body, 'output'), `${pascal(routeName)}${response.status}`, schemas)
        : { type: 'object' },
    },
  });
  // A route answering JSON or a file by a query parameter (the reports' `format`) documents both.
  const content = files
    ? { ...(response.body ? json() : {}), ...Object.fromEntries(files) }
    : response.html
      ? { 'text/html': { schema: { type: 'string' } } }
      : json();
  return {
    description: response.description,
    ...(headers.length
      ? {
          headers: Object.fromEntries(
            headers.map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
          ),
        }
      : {}),
    content,
  };
}

/** A raw body: what the route says it takes; forms as string fields, anything else as bytes. */
function rawRequestBody(route: Route<unknown, unknown, never>): Json {
  const raw = route.doc?.rawBody ?? { mediaTypes: ['application/octet-stream'], description: 'The raw body' };
  const schemaOf = (mediaType: string) =>
    mediaType === 'application/x-www-form-urlencoded'
      ? { type: 'object', additionalProperties: { type: 'string' } }
      : mediaType === 'multipart/form-data'
        ? { type: 'object', description: 'Text fields, and files as parts with a filename' }
        : { description: 'Any bytes; verified and parsed by the route' };
  return {
    required: true,
    description: `${raw.description}. Up to ${bytes(route.maxBodyBytes ?? defaultMaxBodyBytes)}`,
    content: Object.fromEntries(raw.mediaTypes.map((type) => [type, { schema: schemaOf(type) }])),
  };
}

/**
 * One parameter per property of the query schema; a free-form one (`z.record` of strings, which
 * refuses nothing, so no 400) as one object.
 */
function queryParameters(
  query: z.ZodType,
  routeName: string,
  schemas: Record<string, Json>,
): { parameters: Json[]; validated: boolean } {
  const schema = hoist(jsonSchema(query, 'input'), `${pascal(routeName)}Query`, schemas);
  const properties = schema.properties as Record<string, Json> | undefined;
  if (!properties) {
    const anyString = JSON.stringify(schema.additionalProperties) === '{"type":"string"}';
    return {
      parameters: [
        {
          name: 'query',
          in: 'query',
          description: 'Any query parameters',
          schema,
          style: 'form',
          explode: true,
        },
      ],
      validated: !anyString,
    };
  }
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return {
    parameters: Object.entries(properties).map(([name, property]) => {
      const { description, ...rest } = property;
      return {
        name,
        in: 'query',
        required: required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      };
    }),
    validated: true,
  };
}

function pathParameters(path: string): Record<string, unknown> {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  return names.length
    ? { parameters: names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })) }
    : {};
}

/**
 * The schema as JSON Schema: zod's own conversion (types it cannot express become `{}`), the
 * components referenced instead of repeated.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', isComponent = false): Json {
  const name = components.get(schema);
  if (name && !isComponent) return ref(name);
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema, path }) => {
      const component = components.get(zodSchema);
      if (component && path.length > 0) {
        for (const key of Object.keys(jsonSchema)) delete (jsonSchema as Json)[key];
        Object.assign(jsonSchema, ref(component));
        return;
      }
      // Answers may gain fields (the ticket view adds the caller's actions); a client must accept them.
      if (io === 'output' && jsonSchema.additionalProperties === false)
        delete jsonSchema.additionalProperties;
    },
  }) as Json;
  delete json.$schema;
  return json;
}

/**
 * Moves the `$defs` zod emits (a recursive or shared part) to `components.schemas` as `<prefix>.<id>`:
 * inside an OpenAPI document a `#/$defs/…` reference would resolve against the document's root.
 */
function hoist(json: Json, prefix: string, schemas: Record<string, Json>): Json {
  const defs = json.$defs as Record<string, Json> | undefined;
  const selfReferenced = JSON.stringify(json).includes('"$ref":"#"');
  if (!defs && !selfReferenced) return json;
  const { $defs: _, ...rest } = json;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => {
        if (key !== '$ref' || typeof v !== 'string') return [key, rewrite(v)];
        if (v === '#') return [key, ref(prefix).$ref];
        const def = v.match(/^#\/\$defs\/(.+)$/);
        return [key, def ? ref(`${prefix}.${def[1]}`).$ref : v];
      }),
    );
  };
  for (const [id, def] of Object.entries(defs ?? {})) schemas[`${prefix}.${id}`] = rewrite(def) as Json;
  if (!selfReferenced) return rewrite(rest) as Json;
  schemas[prefix] = rewrite(rest) as Json;
  return ref(prefix);
}

const pascal = (name: string) =>
  name
    .split('-')
    .map((w) => `${w[0]!.toUpperCase()}${w.slice(1)}`)
    .join('');

const bytes = (n: number) =>
  n >= 1024 * 1024 && n % (1024 * 1024) === 0
    ? `${n / (1024 * 1024)} MiB`
    : n >= 1024 && n % 1024 === 0
      ? `${n / 1024} KiB`
      : `${n} bytes`;
