import { z } from 'zod';
import type { RegisteredRoute } from './route-registry.js';

const ErrorBody = z.object({
  error: z.object({
    code: z.string().meta({ example: 'VALIDATION_FAILED' }),
    message: z.string(),
    details: z.unknown(),
  }),
});

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const j = z.toJSONSchema(s, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Json;
  delete j.$schema;
  return j;
}

/** Express `:id` → OpenAPI `{id}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

function parameters(route: RegisteredRoute): Json[] {
  const out: Json[] = [];
  for (const [where, s] of [['path', route.params], ['query', route.query]] as const) {
    if (!s) continue;
    const j = schemaOf(s, 'input');
    const props = (j.properties ?? {}) as Record<string, Json>;
    const required = new Set((j.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(props)) {
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema });
    }
  }
  return out;
}

function errorAnswer(description: string): Json {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

/** OpenAPI 3 document of every registered route, from the schemas the routes validate with. */
export function buildOpenApi(routes: readonly RegisteredRoute[], info: { title: string; version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const op: Json = {
      tags: [route.tag],
      summary: route.summary,
      operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: parameters(route),
      responses: {} as Json,
    };
    if (route.roles === 'public') op.security = [];
    else op['x-roles'] = route.roles;
    const body = route.body ?? route.docBody;
    if (body) op.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(body, 'input') } } };
    if (route.docRawBody) {
      const file = { type: 'string', format: 'binary' };
      op.requestBody = {
        required: true,
        description: route.docRawBody.description,
        content: {
          [route.docRawBody.contentType]: { schema: file },
          // The route reads the first file field, whatever its name; `file` is what clients usually send.
          'multipart/form-data': { schema: { type: 'object', properties: { file }, required: ['file'] } },
        },
      };
    }
    const responses = op.responses as Json;
    for (const [status, r] of Object.entries(route.responses)) {
      responses[status] = r.schema
        ? { description: r.description, content: { 'application/json': { schema: schemaOf(r.schema, 'output') } } }
        : r.contentTypes
          ? { description: r.description, content: Object.fromEntries(r.contentTypes.map((t) => [t, { schema: { type: 'string' } }])) }
        : Number(status) >= 400
          ? errorAnswer(r.description)
          : { description: r.description };
    }
    if (route.roles !== 'public') {
      responses['401'] ??= errorAnswer('missing, wrong, expired or revoked credentials');
      responses['403'] ??= errorAnswer('the role may not do this');
    }
    if (route.body || route.docBody || route.params || route.query) {
      responses['400'] ??= errorAnswer('invalid input; details name each field');
    }
    // Every body is bounded and decoded before a route reads it (README, "Errors").
    if (route.body || route.docBody || route.docRawBody) {
      responses['413'] ??= errorAnswer('the body is over the size limit once inflated (details.limit_bytes)');
      responses['415'] ??= errorAnswer('a Content-Encoding or charset the server does not take');
    }
    responses['500'] ??= errorAnswer('a fault of the server, logged with the request id');
    (paths[openApiPath(route.path)] ??= {})[route.method] = op;
  }
  return {
    openapi: '3.0.3',
    info: { ...info, description: 'Progressive outbound dialer for FreeSWITCH. Log in with POST /login, then send X-Key and X-Access-Token on every /api call.' },
    // Relative: the paths are on the server that serves this document, whatever its address.
    servers: [{ url: '/', description: 'the server that serves this document' }],
    components: {
      securitySchemes: {
        key: { type: 'apiKey', in: 'header', name: 'X-Key' },
        token: { type: 'apiKey', in: 'header', name: 'X-Access-Token' },
      },
      schemas: { Error: schemaOf(ErrorBody, 'output') },
    },
    security: [{ key: [], token: [] }],
    paths,
  };
}
