/**
 * Heartbeat pings, shaped like Healthchecks' ping API:
 *   GET|HEAD|POST /heartbeat/:service             success
 *   …/heartbeat/:service/start                     a run starts (?rid= pairs it with its end)
 *   …/heartbeat/:service/fail                      failure
 *   …/heartbeat/:service/:exitcode                 0 success, 1-255 failure (a cron line can pass $?)
 * A POST body up to 10 KB is kept (redacted) as the job's last message; a JSON body carrying cpu, memory
 * (percent 0-100), latency_ms (≥ 0) and error_rate (0-1) is pushed service metrics instead.
 *
 * When server.token or the job's token is set a ping must carry one of them, as "Authorization: Bearer …",
 * "X-Prodpulse-Token: …" or ?token=… (one-line curl cron jobs). Answers: "OK" (200), else JSON {error} with 4xx.
 *
 * GET /heartbeats lists every job's summary (as in /metrics/live); GET /heartbeats/:service one job with its
 * full last message and recent run durations.
 *
 * This is the ingest fast path (≥ 30 000 pings/s): no SQLite (the tracker flushes in batches), no logging at info.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { HEARTBEAT_SERVICE_RE, type HeartbeatJob } from '../../config/heartbeats.ts';
import { MAX_MESSAGE_CHARS, MAX_RID_LENGTH, type PushedMetrics } from '../../heartbeats/state.ts';
import { createHeartbeatSource, type HeartbeatSummary } from '../../heartbeats/source.ts';
import type { HeartbeatTracker, Ping } from '../../heartbeats/tracker.ts';
import type { Logger } from '../../lib/logger.ts';
import { redactText } from '../../lib/redact.ts';
import { jsonError } from '../errors.ts';

export interface HeartbeatRouteDeps {
  tracker: HeartbeatTracker;
  /** server.token (read at every ping, so a reload applies at once) */
  token: () => string | undefined;
  logger: Logger;
  /** the clock's now, for the read routes */
  now: () => number;
}

/** Request bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 10 * 1024;

type Action = { readonly kind: Ping['kind']; readonly exitCode?: number };
// the plain actions are shared: every ping without an exit code reuses one object
const SUCCESS: Action = Object.freeze({ kind: 'success' });
const START: Action = Object.freeze({ kind: 'start' });
const FAIL: Action = Object.freeze({ kind: 'fail' });

/** The last path segment of a ping: what it reports, or the error (exported for the description's test). */
export function parseAction(action: string | undefined): Action | string {
  if (action === undefined) return SUCCESS;
  if (action === 'start') return START;
  if (action === 'fail') return FAIL;
  if (/^\d{1,3}$/.test(action)) {
    const code = Number(action);
    if (code <= 255) return code === 0 ? { kind: 'success', exitCode: 0 } : { kind: 'fail', exitCode: code };
  }
  return `unknown ping "${action}": use start, fail or an exit code 0-255`;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
/** sha256 of recently given tokens: a cron fleet sends the same few, so most pings skip the hash (bounded) */
const givenDigests = new Map<string, Buffer>();
function givenDigest(token: string): Buffer {
  let d = givenDigests.get(token);
  if (!d) {
    if (givenDigests.size >= 1000) givenDigests.clear();
    givenDigests.set(token, (d = digest(token)));
  }
  return d;
}
/** sha256 of each configured token, computed once per distinct token */
const digests = new Map<string, Buffer>();
function tokenDigest(token: string): Buffer {
  let d = digests.get(token);
  if (!d) {
    if (digests.size > 10_000) digests.clear();
    digests.set(token, (d = digest(token)));
  }
  return d;
}

function givenToken(c: Context): string | undefined {
  const alt = c.req.header('x-prodpulse-token');
  if (alt !== undefined) return alt.trim();
  const auth = c.req.header('authorization');
  if (auth !== undefined) {
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (m) return m[1]!.trim();
  }
  return c.req.query('token');
}

const decoder = new TextDecoder();

/**
 * The body as text (UTF-8), reading at most `limit` bytes; undefined when it is larger (Content-Length first, then
 * counted).
 */
async function readBodyText(req: Request, limit: number): Promise<string | undefined> {
  const declared = req.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared)) {
    const length = Number(declared);
    if (length > limit) return undefined;
    if (length === 0) return '';
    // the HTTP parser stops at Content-Length, so this reads at most `limit` bytes (@hono/node-server reads it
    // straight from the socket and decodes the Buffer it collected: no web stream, no ArrayBuffer copy)
    return req.text();
  }
  if (req.body === null) return '';
  // chunked: counted as it streams in
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (size === 0) return '';
  if (chunks.length === 1) return decoder.decode(chunks[0]!);
  const out = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.byteLength;
  }
  return decoder.decode(out);
}

type PushedField = 'cpu' | 'memory' | 'latency_ms' | 'error_rate';
type PushedError = { error: string; field: string };
const PERCENT = 'a number of percent from 0 to 100';

/** The value when it is a finite number in [min, max], else the error naming the field. */
function pushedValue(field: PushedField, v: unknown, min: number, max: number, what: string): number | PushedError {
  if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return v;
  return { field, error: `invalid pushed metric "${field}": must be ${what}, got ${JSON.stringify(v) ?? String(v)}` };
}

/**
 * Pushed metrics from a JSON body: undefined when it carries none of the fields, else the metrics or an error
 * naming the first bad field (checked in the order cpu, memory, latency_ms, error_rate).
 */
export function parsePushed(body: unknown): Omit<PushedMetrics, 'at'> | PushedError | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const hasCpu = Object.hasOwn(b, 'cpu');
  const hasMemory = Object.hasOwn(b, 'memory');
  const hasLatency = Object.hasOwn(b, 'latency_ms');
  const hasErrorRate = Object.hasOwn(b, 'error_rate');
  if (!hasCpu && !hasMemory && !hasLatency && !hasErrorRate) return undefined;
  const out: Omit<PushedMetrics, 'at'> = {};
  // percent / 100, not * 0.01: 85 must become exactly 0.85 so "> 85%" stays false at 85.0
  if (hasCpu) {
    const v = pushedValue('cpu', b.cpu, 0, 100, PERCENT);
    if (typeof v !== 'number') return v;
    out.cpu = v / 100;
  }
  if (hasMemory) {
    const v = pushedValue('memory', b.memory, 0, 100, PERCENT);
    if (typeof v !== 'number') return v;
    out.memory = v / 100;
  }
  if (hasLatency) {
    const v = pushedValue('latency_ms', b.latency_ms, 0, Number.MAX_VALUE, 'a number of milliseconds ≥ 0');
    if (typeof v !== 'number') return v;
    out.latencySeconds = v / 1000;
  }
  if (hasErrorRate) {
    const v = pushedValue('error_rate', b.error_rate, 0, 1, 'a number from 0 to 1');
    if (typeof v !== 'number') return v;
    out.errorRate = v;
  }
  return out;
}

export function heartbeatRoutes(app: Hono, deps: HeartbeatRouteDeps): void {
  const { tracker, logger } = deps;
  // the read routes render the same summary as /metrics/live, at request time
  const view = createHeartbeatSource(tracker);
  const summarize = (): HeartbeatSummary => view.read(deps.now()).summary as HeartbeatSummary;

  const refuse = (c: Context, status: 400 | 401 | 403 | 404 | 413, service: string, error: string, details?: unknown) => {
    if (logger.isLevelEnabled('debug')) logger.debug({ service: service.slice(0, 100), status, error }, 'heartbeat ping refused');
    if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="prodpulse"');
    // the rest of an oversized body is not read: close the connection rather than drain it
    if (status === 413) c.header('Connection', 'close');
    return jsonError(c, status, error, details);
  };

  /** Records the ping (auto-registering the service first when it is not configured) and answers "OK". */
  const record = (c: Context, service: string, job: HeartbeatJob | undefined, ping: Ping): Response => {
    if (!job) {
      const r = tracker.autoRegister(service);
      if (!r.ok)
        return r.reason === 'cap'
          ? refuse(c, 403, service, `auto_register cap reached: ${tracker.settings.policy.autoRegister.max} services registered themselves (raise defaults.heartbeats.auto_register.max or list the service under heartbeats:)`)
          : refuse(c, 404, service, `unknown heartbeat service "${service}"`);
      job = r.job;
    }
    // a reload may have removed the job while the body was read
    if (!tracker.ping(job.service, ping)) return refuse(c, 404, service, `unknown heartbeat service "${service}"`);
    return c.text('OK');
  };

  /** A POST's body: pushed metrics (JSON with cpu, memory, latency_ms, error_rate) or the job's last message. */
  const recordPost = async (c: Context, service: string, job: HeartbeatJob | undefined, ping: Ping, secrets: (string | undefined)[]): Promise<Response> => {
    const text = await readBodyText(c.req.raw, MAX_BODY_BYTES);
    if (text === undefined) return refuse(c, 413, service, `request body larger than ${MAX_BODY_BYTES} bytes`);
    if (text !== '') {
      const type = c.req.header('content-type');
      if (type !== undefined && /^application\/([\w.+-]*\+)?json\b/i.test(type)) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return refuse(c, 400, service, 'request body is not valid JSON (Content-Type says JSON)');
        }
        const p = parsePushed(body);
        if (p !== undefined && 'error' in p) return refuse(c, 400, service, p.error, [{ field: p.field, message: p.error }]);
        if (p !== undefined) {
          ping.pushed = p;
          ping.message = null;
          return record(c, service, job, ping);
        }
      }
    }
    // redact first, then cut: a secret straddling the cut must not leave a readable prefix
    const redacted = text === '' ? '' : redactText(text, secrets.filter((t): t is string => !!t));
    ping.message = redacted.length > MAX_MESSAGE_CHARS ? redacted.slice(0, MAX_MESSAGE_CHARS) : redacted;
    return record(c, service, job, ping);
  };

  // synchronous unless a body is to be read: a GET ping's Response goes straight to the socket
  const handle = (c: Context): Response | Promise<Response> => {
    const service = c.req.param('service')!;
    const action = parseAction(c.req.param('action'));
    if (typeof action === 'string') return refuse(c, 400, service, action);
    const rid = c.req.query('rid');
    if (rid !== undefined && rid.length > MAX_RID_LENGTH) return refuse(c, 400, service, `rid is longer than ${MAX_RID_LENGTH} characters`);

    const job = tracker.job(service);
    const serverToken = deps.token();
    const jobToken = job?.token;
    if (serverToken !== undefined || jobToken !== undefined) {
      const given = givenToken(c);
      const d = given ? givenDigest(given) : undefined;
      const ok =
        d !== undefined &&
        ((jobToken !== undefined && timingSafeEqual(d, tokenDigest(jobToken))) || (serverToken !== undefined && timingSafeEqual(d, tokenDigest(serverToken))));
      if (!ok)
        return refuse(c, 401, service, 'missing or wrong token: send "Authorization: Bearer <token>" or ?token=<token> (server.token or the job\'s token)');
    }

    if (!job) {
      if (!tracker.settings.policy.autoRegister.enabled)
        return refuse(c, 404, service, `unknown heartbeat service "${service.slice(0, 100)}" (add it under heartbeats: in alerts.yaml, or turn on defaults.heartbeats.auto_register)`);
      if (!HEARTBEAT_SERVICE_RE.test(service)) return refuse(c, 400, service, 'service names use lower-case letters, digits, _ and - (1 to 100 characters)');
    }

    const ping: Ping = { kind: action.kind };
    if (action.exitCode !== undefined) ping.exitCode = action.exitCode;
    if (rid !== undefined) ping.rid = rid;
    if (c.req.method === 'POST') return recordPost(c, service, job, ping, [serverToken, jobToken]);
    return record(c, service, job, ping);
  };

  // HEAD is answered by the GET handler (Hono dispatches HEAD as GET and drops the body)
  app.on(['GET', 'POST'], '/heartbeat/:service', handle);
  app.on(['GET', 'POST'], '/heartbeat/:service/:action', handle);

  // read side: every job's summary, and one job with its full last message (≤ 10 KB, redacted when received)
  app.get('/heartbeats', (c) => c.json(summarize()));
  app.get('/heartbeats/:service', (c) => {
    const service = c.req.param('service');
    const job = summarize().jobs.find((j) => j.service === service);
    if (!job) return jsonError(c, 404, `unknown heartbeat service "${service.slice(0, 100)}"`);
    const s = tracker.state(service)!;
    return c.json({ ...job, lastMessage: s.lastMessage, runDurationsMs: [...s.runDurationsMs] });
  });
}


