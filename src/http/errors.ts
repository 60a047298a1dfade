import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Every HTTP error the sidecar returns: JSON `{ error, details? }` with a 4xx/5xx status. */
export function jsonError(c: Context, status: ContentfulStatusCode, error: string, details?: unknown): Response {
  return c.json(details === undefined ? { error } : { error, details }, status);
}
