/**
 * An answer other than success, raised at the HTTP edge only (routes map use
 * case outcomes to it); the error middleware renders `{error:{code,message,details}}`.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'BAD_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'REQUEST_TIMEOUT'
  | 'TOO_MANY_REQUESTS'
  | 'BUSY'
  | 'INTERNAL';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

/** `field` names the request's value that found nothing (default: `<what>_id`). */
export const notFound = (what: string, id: number | string, field = `${what.replace(/ /g, '_')}_id`): ApiError =>
  new ApiError(404, 'NOT_FOUND', `${what} ${id} not found`, { [field]: id });

export const conflict = (message: string, details: unknown = null): ApiError =>
  new ApiError(409, 'CONFLICT', message, details);

export const badRequest = (message: string, details: unknown = null): ApiError =>
  new ApiError(400, 'VALIDATION_FAILED', message, details);
