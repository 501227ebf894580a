import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { ApiError } from './api-error.js';
import { fieldIssues, validationError } from './route-registry.js';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  message?: string;
}

/** Turns anything a route threw or rejected with into `{error:{code,message,details}}` (S2). */
export function errorMiddleware(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = toApiError(err);
    if (e.status >= 500) (req.log ?? log).error({ err }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    sendApiError(res, e);
  };
}

/** The one shape of an error answer (also for errors found outside a route, e.g. a body timeout). */
export function sendApiError(res: Response, e: ApiError): void {
  res.status(e.status).json({ error: { code: e.code, message: e.message, details: e.details } });
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return validationError(fieldIssues('body', err));
  const b = err as BodyParserError;
  switch (b?.type) {
    case 'entity.parse.failed':
      return new ApiError(400, 'BAD_JSON', `request body is not valid JSON: ${b.message ?? ''}`.trim());
    case 'entity.too.large':
      return new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${b.limit} bytes`, { limit_bytes: b.limit });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'VALIDATION_FAILED', b.message ?? 'unsupported body encoding');
    case 'request.aborted':
      return new ApiError(400, 'VALIDATION_FAILED', 'request was aborted by the client');
    default:
      break;
  }
  if (typeof b?.status === 'number' && b.status >= 400 && b.status < 500) {
    return new ApiError(b.status, 'VALIDATION_FAILED', b.message ?? 'bad request');
  }
  return new ApiError(500, 'INTERNAL', 'internal error; see the server log');
}
