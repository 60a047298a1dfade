/**
 * GET /services/:id shows a service with its secrets replaced (URL credentials and `token=`-like parameters by
 * `[REDACTED]`, every header value by `***`). A client that edits what it got and sends it back (PUT, PATCH) must
 * not store those placeholders as the credentials: a placeholder that stands for a stored secret is replaced by it
 * (the URL exactly as GET shows it, a `***` header value under a header name the service has); one that stands for
 * nothing stored is refused, never sent to a target. The fields GET adds (status, source, timestamps) are dropped.
 */
import { redactText } from '../lib/redact.ts';

export const HEADER_PLACEHOLDER = '***';
const URL_PLACEHOLDER = '[REDACTED]';
/** what GET adds to the writable fields */
const READ_ONLY_FIELDS = ['source', 'status', 'createdAt', 'updatedAt', 'file'];

export interface StoredSecrets {
  url?: string | undefined;
  headers?: Record<string, string> | undefined;
}

/** The body with read-only fields dropped and placeholders restored, and the placeholders that could not be. */
export function restoreRedacted(body: unknown, stored: StoredSecrets | undefined): { body: unknown; issues: { field: string; message: string }[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { body, issues: [] };
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const k of READ_ONLY_FIELDS) delete out[k];
  const issues: { field: string; message: string }[] = [];
  if (typeof out.url === 'string' && out.url.includes(URL_PLACEHOLDER)) {
    if (stored?.url !== undefined && out.url === redactText(stored.url)) out.url = stored.url;
    else issues.push({ field: 'url', message: `holds the placeholder ${URL_PLACEHOLDER}: send the real credentials, or the URL exactly as GET shows it to keep the stored ones` });
  }
  if (out.headers && typeof out.headers === 'object' && !Array.isArray(out.headers)) {
    const byLowerName = new Map(Object.entries(stored?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const headers: Record<string, unknown> = { ...(out.headers as Record<string, unknown>) };
    for (const [name, value] of Object.entries(headers)) {
      if (value !== HEADER_PLACEHOLDER) continue;
      const kept = byLowerName.get(name.toLowerCase());
      if (kept !== undefined) headers[name] = kept;
      else issues.push({ field: `headers.${name}`, message: `"${HEADER_PLACEHOLDER}" stands for a stored value, and this service has no header ${name}: send the real value` });
    }
    out.headers = headers;
  }
  return { body: out, issues };
}
