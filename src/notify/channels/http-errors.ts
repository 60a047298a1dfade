import { NotifyError } from '../types.ts';
import { redactText, redactThenCut } from '../../lib/redact.ts';

/** Shared HTTP plumbing for channels: Retry-After, status classification, safe URLs, network errors. */

/** Retry-After as delta-seconds or HTTP-date → milliseconds from `now`; undefined when absent or unparseable. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** 5xx, 429 and 408 can pass; any other 4xx will fail the same way again. */
export function isRecoverableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** decodeURIComponent that returns its input when it is not valid percent-encoding (a "%" in a password). */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A URL without userinfo plus the Basic authorization header the userinfo stood for (fetch refuses credentials in URLs). */
export function splitCredentials(raw: string): { url: string; authorization: string | undefined } {
  const u = new URL(raw);
  if (!u.username && !u.password) return { url: u.toString(), authorization: undefined };
  const user = safeDecode(u.username);
  const pass = safeDecode(u.password);
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

/** "host:port" (or host) of a URL, never its path, query or credentials; "invalid-url" when it does not parse. */
export function safeHost(raw: string): string {
  try {
    return new URL(raw).host;
  } catch {
    return 'invalid-url';
  }
}

/** The secret parts of a URL: userinfo (raw and decoded), and — when `pathIsSecret` — path, path segments and query. */
export function urlSecrets(raw: string, pathIsSecret: boolean): string[] {
  const out = [raw];
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return out;
  }
  if (u.password) out.push(u.password, safeDecode(u.password));
  if (pathIsSecret) {
    if (u.pathname.length > 1) out.push(u.pathname, safeDecode(u.pathname));
    for (const seg of u.pathname.split('/')) if (seg.length >= 6) out.push(seg, safeDecode(seg));
    if (u.search) out.push(u.search, u.search.slice(1));
    for (const [, v] of u.searchParams) out.push(v);
    out.push(u.origin + u.pathname);
  }
  return [...new Set(out.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
}

/** Describes a non-2xx response as a NotifyError; `body` (a short, redacted excerpt) helps debugging. */
export function httpStatusError(
  what: string,
  res: { status: number; statusText?: string; headers: { get(name: string): string | null } },
  body: string,
  secrets: readonly string[],
  now: number,
): NotifyError {
  // redact first, then cut: cutting first can leave the head of a secret that straddles the cut, which the
  // redaction then no longer recognises
  const excerpt = redactThenCut(body.trim().replace(/\s+/g, ' '), secrets, 200);
  const message = redactText(`${what}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${excerpt ? `: ${excerpt}` : ''}`, secrets);
  const retryAfterMs = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get('retry-after'), now) : undefined;
  return new NotifyError(message, {
    recoverable: isRecoverableStatus(res.status),
    reason: res.status === 429 ? 'rate_limited' : `http_${res.status}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

const NEVER_RECOVERS = new Set(['ERR_INVALID_URL', 'ERR_INVALID_PROTOCOL', 'ERR_INVALID_ARG_TYPE', 'ERR_UNSUPPORTED_PROTOCOL']);

/** A thrown fetch/socket error (refused, reset, DNS, timeout, abort) → recoverable NotifyError without the URL. */
export function networkError(what: string, err: unknown, secrets: readonly string[]): NotifyError {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  const timedOut = e?.name === 'TimeoutError' || e?.name === 'AbortError';
  const code = e?.cause?.code ?? e?.code;
  const detail = timedOut ? 'timed out or aborted' : [code, e?.cause?.message ?? e?.message].filter(Boolean).join(' ');
  // a URL fetch cannot use (bad scheme or syntax) fails the same way on every retry
  const hopeless = !timedOut && (NEVER_RECOVERS.has(String(code)) || /unknown scheme|not supported|invalid url/i.test(`${e?.cause?.message ?? ''} ${e?.message ?? ''}`));
  return new NotifyError(redactText(`${what}: request failed: ${detail || 'unknown error'}`, secrets), {
    recoverable: !hopeless,
    reason: timedOut ? 'timeout' : hopeless ? 'bad_url' : 'network',
  });
}

/**
 * Reads at most `limit` characters of a response body, never throwing. The limit is well past what error messages
 * keep (200 characters, cut after redaction), so a secret echoed near the end is still whole when redacted.
 */
export async function readBodySafe(res: { text(): Promise<string> }, limit = 16_384): Promise<string> {
  try {
    return (await res.text()).slice(0, limit);
  } catch {
    return '';
  }
}

/** What an HTTP channel (webhook, Alertmanager) needs from outside. */
export interface HttpChannelDeps {
  fetch: typeof fetch;
  now: () => number;
  externalUrl?: string | undefined;
  version?: string | undefined;
  secrets: readonly string[];
}

/**
 * POSTs a JSON body; resolves on 2xx. Network trouble and non-2xx answers become NotifyErrors (recoverable or not,
 * Retry-After honoured) whose text carries no secret. Credentials in `rawUrl` travel as a Basic header, since
 * fetch refuses URLs with userinfo; redirects are not followed.
 */
export async function postJson(
  what: string,
  rawUrl: string,
  body: unknown,
  opts: { headers?: Record<string, string>; signal: AbortSignal },
  deps: HttpChannelDeps,
): Promise<void> {
  const { url, authorization } = splitCredentials(rawUrl);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': `prodpulse/${deps.version ?? 'dev'}`,
    ...(authorization ? { authorization } : {}),
  };
  // a configured header replaces the default of the same name whatever its case (fetch would join both values:
  // "Basic …, Bearer …" is no valid Authorization)
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    delete headers[name.toLowerCase()];
    headers[name] = value;
  }
  let res: Response;
  try {
    res = await deps.fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: opts.signal, redirect: 'manual' });
  } catch (err) {
    throw networkError(what, err, deps.secrets);
  }
  const text = await readBodySafe(res);
  if (res.status < 200 || res.status >= 300) throw httpStatusError(what, res, text, deps.secrets, deps.now());
}
