import type { NextFunction, Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { Principal } from '../../app/auth/auth-service.js';
import type { Role } from '../../app/auth/roles.js';
import { ApiError } from './api-error.js';
import { roleRefusal } from './role-guard.js';
import { plainIssue } from './plain-issue.js';

type Method = 'get' | 'post' | 'put' | 'delete';
type AnySchema = z.ZodType;

export interface ResponseSpec {
  description: string;
  schema?: AnySchema;
  /** A body that is not JSON (e.g. a CSV export), for the document only: its content types. */
  contentTypes?: readonly string[];
}

/** One route as the router serves it and as the OpenAPI document describes it. */
export interface RouteSpec<P extends AnySchema, Q extends AnySchema, B extends AnySchema> {
  method: Method;
  /** Express path, e.g. `/api/v2/dialer/:id`. */
  path: string;
  tag: string;
  summary: string;
  /** Roles allowed (S1); `public` skips authentication. */
  roles: readonly Role[] | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Documents a body the handler validates itself (e.g. members, item by item
   * with each bad index reported); it is not parsed by the registry.
   */
  docBody?: AnySchema;
  /**
   * A file body that is not JSON (e.g. a CSV file), for the document only: sent as the raw body
   * with this content type, or as the first file field of a multipart/form-data form.
   */
  docRawBody?: { contentType: string; description: string };
  responses: Record<number, ResponseSpec>;
}

export interface RouteInput<P extends AnySchema, Q extends AnySchema, B extends AnySchema> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  principal: Principal | undefined;
  req: Request;
  res: Response;
}

export type RegisteredRoute = RouteSpec<AnySchema, AnySchema, AnySchema>;

/**
 * Keeps every route's schemas so `/api/openapi.json` is generated from exactly
 * what the routes validate with.
 */
export class RouteRegistry {
  readonly routes: RegisteredRoute[] = [];

  /** Adds the route to `router`: role check, then params/query/body parsed with the spec's schemas. */
  add<P extends AnySchema = z.ZodObject, Q extends AnySchema = z.ZodObject, B extends AnySchema = z.ZodUndefined>(
    router: Router,
    spec: RouteSpec<P, Q, B>,
    handler: (input: RouteInput<P, Q, B>) => Promise<unknown>,
  ): void {
    checkPathParams(spec);
    this.routes.push(spec as unknown as RegisteredRoute);
    router[spec.method](spec.path, async (req: Request, res: Response, _next: NextFunction) => {
      const principal = res.locals.principal as Principal | undefined;
      // Already checked by roleGuard before the body was read; checked again for a router used without it.
      const refusal = roleRefusal(spec, principal);
      if (refusal) throw refusal;
      const params = parsePart('params', spec.params, req.params);
      const query = parsePart('query', spec.query, req.query);
      const body = parsePart('body', spec.body, req.body);
      await handler({ params, query, body, principal, req, res } as RouteInput<P, Q, B>);
    });
  }
}

/**
 * S5: every `:name` of a path is parsed by the route's params schema (ids with IdParam), so no
 * route can read a raw, unchecked path segment; a route missing one fails at start, not in use.
 */
function checkPathParams(spec: RouteSpec<AnySchema, AnySchema, AnySchema>): void {
  const names = [...spec.path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1]!);
  if (names.length === 0) return;
  const shape = (spec.params as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  const missing = names.filter((n) => !(n in shape));
  if (missing.length > 0) throw new Error(`${spec.method.toUpperCase()} ${spec.path}: no params schema for ${missing.map((n) => `:${n}`).join(', ')}`);
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** Turns zod issues into `{path, message}` with the request part first (`body.windows.0.end`). */
export function fieldIssues(where: string, error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
}

export function validationError(issues: FieldIssue[]): ApiError {
  const message = issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`).join('; ');
  return new ApiError(400, 'VALIDATION_FAILED', message, { issues });
}

function parsePart(where: string, schema: AnySchema | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value, { error: plainIssue });
  if (!parsed.success) throw validationError(fieldIssues(where, parsed.error));
  return parsed.data;
}
