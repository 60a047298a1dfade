/**
 * The OpenAPI 3.1 document, generated from zod schemas (z.toJSONSchema, draft 2020-12, which OpenAPI 3.1 uses
 * as its schema dialect). Each route file's API is described once, as a list of `ApiOperation`s beside the
 * route (`src/http/routes/*.api.ts`), reusing the zod schemas the handler validates with; buildOpenApi() turns
 * the lists into the document. Routes stay plain Hono routes: nothing here wraps or changes a handler.
 */
import { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiResponse {
  description: string;
  /** JSON body (application/json unless contentType says otherwise); omit for no body */
  schema?: z.ZodType;
  /** e.g. 'text/plain' or 'text/html' with a string schema; default application/json */
  contentType?: string;
  headers?: Record<string, { description: string; schema?: z.ZodType }>;
}

export interface ApiOperation {
  method: HttpMethod;
  /** OpenAPI path template: /alerts/{fingerprint} */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /**
   * 'token': a write needing server.token (bearer or X-Prodpulse-Token); 'ping': a heartbeat ping, open unless
   * server.token or the job's token is set, then one of them as bearer, X-Prodpulse-Token or ?token=; default 'read'
   */
  auth?: 'read' | 'token' | 'ping';
  /** an object schema: one parameter per property */
  query?: z.ZodObject;
  /** an object schema: one parameter per property (all required) */
  pathParams?: z.ZodObject;
  body?: {
    schema: z.ZodType;
    description?: string;
    contentType?: string;
    /** default true */
    required?: boolean;
    /** further media types the route accepts (e.g. multipart/form-data beside JSON) */
    also?: readonly { contentType: string; schema: z.ZodType }[];
  };
  responses: Record<number, ApiResponse>;
}

/** The error body of every 4xx/5xx (src/http/errors.ts). */
export const errorSchema = z
  .object({
    error: z.string().describe('what went wrong, for people'),
    details: z.unknown().optional().describe('per-field problems, when the input was invalid'),
  })
  .meta({ id: 'Error' });

export const isoDate = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp (UTC)');

export interface OpenApiOptions {
  version: string;
  /** where the server is reached (server.external_url); default: relative to the document */
  serverUrl?: string;
  /** one list per route file */
  groups: readonly (readonly ApiOperation[])[];
}

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const out = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    reused: 'inline',
    override: (ctx) => {
      // dates travel as ISO strings; z.coerce.date() accepts one on input
      const def = (ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def;
      if (def?.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
      // .int() adds the safe-integer range; it says nothing to a reader
      if (ctx.jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete ctx.jsonSchema.maximum;
      if (ctx.jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete ctx.jsonSchema.minimum;
    },
  }) as JsonSchema;
  delete out.$schema;
  return out;
};

/** Components collected while converting: schemas with a `.meta({ id })` go to components.schemas once. */
class Converter {
  readonly components: Record<string, JsonSchema> = {};
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = toSchema(schema, io);
    // z.toJSONSchema puts schemas registered with an id under $defs; lift them into components
    const defs = json.$defs as Record<string, JsonSchema> | undefined;
    if (defs) {
      for (const [id, def] of Object.entries(defs)) this.components[id] ??= rewriteRefs(def) as JsonSchema;
      delete json.$defs;
    }
    const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
    if (id) {
      const { id: _omit, ...rest } = json;
      this.components[id] ??= rewriteRefs(rest) as JsonSchema;
      return { $ref: `#/components/schemas/${id}` };
    }
    return rewriteRefs(json) as JsonSchema;
  }
}

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'id' && typeof x === 'string') continue;
      out[k] = k === '$ref' && typeof x === 'string' ? x.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(x);
    }
    return out;
  }
  return v;
}

function parameters(conv: Converter, where: 'query' | 'path', obj: z.ZodObject | undefined): unknown[] {
  if (!obj) return [];
  const json = conv.convert(obj, 'output');
  const props = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, schema]) => {
    const { description, ...rest } = schema;
    const hasDefault = 'default' in rest;
    return {
      name,
      in: where,
      required: where === 'path' || (required.has(name) && !hasDefault),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const READ_SECURITY = [{}, { basicAuth: [] }];
const TOKEN_SECURITY = [{ bearerAuth: [] }, { tokenHeader: [] }, { basicAuth: [], tokenHeader: [] }];
const PING_SECURITY = [{}, { bearerAuth: [] }, { tokenHeader: [] }, { tokenQuery: [] }, { basicAuth: [] }, { basicAuth: [], tokenHeader: [] }, { basicAuth: [], tokenQuery: [] }];
const SECURITY = { read: READ_SECURITY, token: TOKEN_SECURITY, ping: PING_SECURITY } as const;
const UNAUTHORIZED = {
  read: 'basic auth required (only when server.basic_auth_users is set)',
  token: 'missing or wrong token (or basic auth credentials when configured)',
  ping: "missing or wrong token (only when server.token or the job's token is set; or basic auth credentials when configured)",
} as const;

/** The OpenAPI 3.1 document for the given route descriptions. */
export function buildOpenApi(opts: OpenApiOptions): Record<string, unknown> {
  const conv = new Converter();
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  const errorRef = conv.convert(errorSchema, 'output');
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorRef } } });

  for (const group of opts.groups) {
    for (const op of group) {
      tags.add(op.tag);
      const responses: Record<string, unknown> = {};
      for (const [status, r] of Object.entries(op.responses)) {
        const content = r.schema ? { [r.contentType ?? 'application/json']: { schema: conv.convert(r.schema, 'output') } } : undefined;
        const headers = r.headers
          ? Object.fromEntries(Object.entries(r.headers).map(([n, hd]) => [n, { description: hd.description, ...(hd.schema ? { schema: conv.convert(hd.schema, 'output') } : {}) }]))
          : undefined;
        responses[status] = { description: r.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
      }
      // every route answers these when basic auth or the token is configured
      responses['401'] ??= errorResponse(UNAUTHORIZED[op.auth ?? 'read']);
      responses['500'] ??= errorResponse('internal error (logged; the body never carries details)');
      const operation: Record<string, unknown> = {
        operationId: op.operationId,
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        tags: [op.tag],
        security: SECURITY[op.auth ?? 'read'],
        parameters: [...parameters(conv, 'path', op.pathParams), ...parameters(conv, 'query', op.query)],
        ...(op.body
          ? {
              requestBody: {
                required: op.body.required ?? true,
                ...(op.body.description ? { description: op.body.description } : {}),
                content: {
                  [op.body.contentType ?? 'application/json']: { schema: conv.convert(op.body.schema, 'input') },
                  ...Object.fromEntries((op.body.also ?? []).map((m) => [m.contentType, { schema: conv.convert(m.schema, 'input') }])),
                },
              },
            }
          : {}),
        responses,
      };
      if ((operation.parameters as unknown[]).length === 0) delete operation.parameters;
      const item = (paths[op.path] ??= {});
      if (item[op.method]) throw new Error(`OpenAPI: ${op.method.toUpperCase()} ${op.path} described twice`);
      item[op.method] = operation;
    }
  }

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'prodpulse',
      version: opts.version,
      description:
        'Prometheus exporter and alerting sidecar. Reads are open unless server.basic_auth_users is set (then every route needs HTTP basic auth). ' +
        'Writes need server.token as "Authorization: Bearer <token>", or as "X-Prodpulse-Token: <token>" when basic auth takes the Authorization header. ' +
        'Every error is JSON {error, details?}.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: opts.serverUrl ?? '/' }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas: Object.fromEntries(Object.entries(conv.components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'server.token from alerts.yaml' },
        tokenHeader: { type: 'apiKey', in: 'header', name: 'X-Prodpulse-Token', description: 'server.token, when basic auth uses the Authorization header' },
        tokenQuery: { type: 'apiKey', in: 'query', name: 'token', description: "server.token or the job's token, for heartbeat pings only (one-line curl cron jobs)" },
        basicAuth: { type: 'http', scheme: 'basic', description: 'a user from server.basic_auth_users (bcrypt hashes); only when configured' },
      },
    },
  };
}
