/**
 * One HTTP check of one service, with node:http/https directly: a keep-alive agent per target origin
 * (AgentPool), per-phase timings from socket events (resolve, connect, tls, first byte, transfer), a hard timeout,
 * a bounded body read, and every failure mapped to one reason of FAILURE_REASONS. Never throws: DNS failures, TLS
 * errors, resets and timeouts are results.
 *
 * Reasons: dns (lookup failed) · connect (refused, unreachable) · tls (handshake or certificate) · timeout (the
 * whole check exceeded the service's timeout) · reset (the connection closed before a response) · body (the
 * connection failed while the body was read) · redirect (a 3xx the service did not expect while
 * follow_redirects is off, a redirect to a non-HTTP URL, or more than MAX_REDIRECTS hops) · status (any other
 * status outside expected_status, default 2xx) · other (an invalid HTTP response, anything unforeseen).
 * A version that differs from the expected one is drift, not a failed check (src/probes/incident.ts).
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { redactText } from '../lib/redact.ts';
import { VERSION } from '../lib/version.ts';
import type { FailureReason, ProbeResult, ServiceDefinition } from './types.ts';
import { extractVersion } from './version.ts';

/** Bytes of a body read at most; the rest is not read (the connection is then closed). */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_REDIRECTS = 5;
export const MAX_ERROR_MESSAGE = 200;
const USER_AGENT = `prodpulse/${VERSION}`;

/** One keep-alive agent per target origin (scheme://host:port). */
export class AgentPool {
  #agents = new Map<string, http.Agent>();
  #opts: https.AgentOptions;

  /** `opts` go to every agent (e.g. `ca` for a private CA; tests pass their self-signed certificate) */
  constructor(opts: https.AgentOptions = {}) {
    // Idle sockets close after 60 s of no use (servers usually close theirs sooner; a reused socket the server
    // closed meanwhile is retried once on a fresh connection, see probeOnce).
    this.#opts = { keepAlive: true, maxSockets: 4, maxFreeSockets: 2, timeout: 60_000, scheduling: 'lifo', ...opts };
  }

  get(url: URL): http.Agent {
    const origin = url.origin;
    let agent = this.#agents.get(origin);
    if (agent === undefined) {
      agent = url.protocol === 'https:' ? new https.Agent(this.#opts) : new http.Agent(this.#opts);
      this.#agents.set(origin, agent);
    }
    return agent;
  }

  /** Closes the agents of origins no longer probed (after a reload): pass the URLs still in use. */
  retain(urls: Iterable<string>): void {
    const keep = new Set<string>();
    for (const u of urls) {
      try {
        keep.add(new URL(u).origin);
      } catch {
        // not a URL: nothing to keep
      }
    }
    for (const [origin, agent] of this.#agents) {
      if (keep.has(origin)) continue;
      agent.destroy();
      this.#agents.delete(origin);
    }
  }

  get size(): number {
    return this.#agents.size;
  }

  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }
}

export interface ProbeDeps {
  /** aborting ends the check at once (as a timeout) */
  signal: AbortSignal;
  /** epoch ms, for the result's timestamp */
  now(): number;
  agents: AgentPool;
}

type Phases = ProbeResult['phases'];
type Waiting = 'connect' | 'TLS' | 'first byte' | 'body';

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string | undefined;
}

class ProbeFailure extends Error {
  readonly reason: FailureReason;
  readonly code: string;
  readonly response: Response | undefined;
  constructor(reason: FailureReason, message: string, code: string, response?: Response) {
    super(message);
    this.reason = reason;
    this.code = code;
    this.response = response;
  }
}

/** Runs one check; resolves with its result, never rejects. */
export async function probeOnce(def: ServiceDefinition, deps: ProbeDeps): Promise<ProbeResult> {
  const timestamp = deps.now();
  const started = performance.now();
  const phases: Phases = {};
  const secrets = secretsOf(def);
  const deadline = new AbortController();
  const progress: { waiting: Waiting } = { waiting: 'connect' };
  const timer = setTimeout(() => deadline.abort(new ProbeFailure('timeout', '', '')), def.timeoutMs);
  const onOuterAbort = () => deadline.abort(new ProbeFailure('timeout', '', ''));
  if (deps.signal.aborted) onOuterAbort();
  else deps.signal.addEventListener('abort', onOuterAbort, { once: true });

  const finish = (ok: boolean, res: Response | undefined, failure: ProbeFailure | undefined): ProbeResult => {
    clearTimeout(timer);
    deps.signal.removeEventListener('abort', onOuterAbort);
    const version = res ? extractVersion(def.version, { body: res.body, headers: res.headers }) : null;
    return {
      serviceId: def.id,
      timestamp,
      ok,
      statusCode: res?.status ?? null,
      latencyMs: round(performance.now() - started),
      phases: roundPhases(phases),
      version,
      reason: failure?.reason ?? null,
      errorMessage: failure ? shortMessage(failure.message, secrets) : null,
      errorCode: failure ? shortMessage(failure.code, secrets).slice(0, 64) : null,
    };
  };

  let url: URL;
  try {
    url = new URL(def.url);
  } catch {
    return finish(false, undefined, new ProbeFailure('other', 'invalid URL', 'invalid URL'));
  }
  let method = def.method;
  let headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json, */*;q=0.5', ...def.headers };
  try {
    for (let hop = 0; ; hop++) {
      const res = await exchangeWithRetry(url, method, headers, deps.agents, deadline.signal, phases, (w) => (progress.waiting = w));
      const expected = def.expectedStatus === undefined ? res.status >= 200 && res.status < 300 : def.expectedStatus.includes(res.status);
      if (expected) return finish(true, res, undefined);
      const isRedirect = res.status >= 300 && res.status < 400;
      if (!isRedirect) {
        const want = def.expectedStatus === undefined ? '2xx' : def.expectedStatus.join(', ');
        return finish(false, res, new ProbeFailure('status', `HTTP ${res.status} (expected ${want})`, `HTTP ${res.status}`));
      }
      const location = firstHeader(res.headers.location);
      if (!def.followRedirects)
        return finish(false, res, new ProbeFailure('redirect', `HTTP ${res.status} redirect${location ? ` to ${location}` : ''} (follow_redirects is off)`, `HTTP ${res.status}`));
      if (location === undefined) return finish(false, res, new ProbeFailure('redirect', `HTTP ${res.status} without a Location header`, `HTTP ${res.status}`));
      if (hop >= MAX_REDIRECTS) return finish(false, res, new ProbeFailure('redirect', `more than ${MAX_REDIRECTS} redirects`, 'too many redirects'));
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return finish(false, res, new ProbeFailure('redirect', `HTTP ${res.status} to an invalid Location: ${location}`, `HTTP ${res.status}`));
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        return finish(false, res, new ProbeFailure('redirect', `HTTP ${res.status} to a non-HTTP URL (${next.protocol})`, `HTTP ${res.status}`));
      // like fetch: 303 (and 301/302 after a POST) become GET; configured headers (credentials) stay on the origin
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) method = 'GET';
      if (next.origin !== url.origin) headers = { 'user-agent': USER_AGENT, accept: headers.accept! };
      url = next;
    }
  } catch (err) {
    if (err instanceof ProbeFailure) {
      if (err.reason === 'timeout' && err.message === '') {
        const w = progress.waiting;
        const f = new ProbeFailure('timeout', `no complete response within ${def.timeoutMs}ms (${w === 'body' ? 'reading the body' : `waiting for ${w}`})`, w === 'body' ? 'reading body' : `waiting for ${w}`, err.response);
        return finish(false, err.response, f);
      }
      return finish(false, err.response, err);
    }
    return finish(false, undefined, new ProbeFailure('other', (err as Error).message ?? String(err), 'error'));
  }
}

/** One request; a reused keep-alive socket that the server closed meanwhile is retried once on a new connection. */
async function exchangeWithRetry(
  url: URL,
  method: string,
  headers: Record<string, string>,
  agents: AgentPool,
  signal: AbortSignal,
  phases: Phases,
  setWaiting: (w: Waiting) => void,
): Promise<Response> {
  try {
    return await exchange(url, method, headers, agents.get(url), signal, phases, setWaiting);
  } catch (err) {
    if (err instanceof StaleSocket) return exchange(url, method, headers, agents.get(url), signal, phases, setWaiting);
    throw err;
  }
}

class StaleSocket extends Error {}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'EAI_ADDRFAMILY', 'EAI_SERVICE']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'ECONNABORTED']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  agent: http.Agent,
  signal: AbortSignal,
  phases: Phases,
  setWaiting: (w: Waiting) => void,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const tls = url.protocol === 'https:';
    let t = performance.now();
    let connected = false;
    let secured = false;
    let gotResponse = false;
    let settled = false;
    let response: Response | undefined;
    const add = (k: keyof Phases, ms: number) => (phases[k] = (phases[k] ?? 0) + ms);
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (err: unknown) => {
      const e = err as NodeJS.ErrnoException;
      const code = e.code ?? '';
      if (err instanceof ProbeFailure) return settle(() => reject(err.response || !response ? err : new ProbeFailure(err.reason, err.message, err.code, response)));
      if (!gotResponse && req.reusedSocket && (RESET_CODES.has(code) || /socket hang up/.test(e.message))) return settle(() => reject(new StaleSocket()));
      settle(() => reject(classify(e, { tls, connected, secured, gotResponse, response })));
    };
    const onAbort = () => {
      const why = signal.reason instanceof ProbeFailure ? signal.reason : new ProbeFailure('timeout', '', '');
      fail(why);
      req.destroy();
    };

    const req = (tls ? https : http).request(url, { method, headers, agent });
    req.on('socket', (socket: Socket) => {
      if (req.reusedSocket || !socket.connecting) {
        connected = true;
        secured = tls;
        setWaiting('first byte');
        return;
      }
      socket.once('lookup', (err) => {
        if (err) return;
        const now = performance.now();
        add('resolveMs', now - t);
        t = now;
      });
      socket.once('connect', () => {
        const now = performance.now();
        add('connectMs', now - t);
        t = now;
        connected = true;
        setWaiting(tls ? 'TLS' : 'first byte');
      });
      if (tls)
        socket.once('secureConnect', () => {
          const now = performance.now();
          add('tlsMs', now - t);
          t = now;
          secured = true;
          setWaiting('first byte');
        });
    });
    req.on('error', fail);
    req.on('response', (res) => {
      gotResponse = true;
      const now = performance.now();
      add('firstByteMs', now - t);
      t = now;
      setWaiting('body');
      const chunks: Buffer[] = [];
      let size = 0;
      response = { status: res.statusCode ?? 0, headers: res.headers, body: undefined };
      const done = () => {
        if (settled) return;
        add('transferMs', performance.now() - t);
        response!.body = size > 0 ? Buffer.concat(chunks, Math.min(size, MAX_BODY_BYTES)).toString('utf8') : undefined;
        settle(() => resolve(response!));
      };
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = MAX_BODY_BYTES - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= MAX_BODY_BYTES) {
          // enough to read a version from: stop reading (the socket is not reused)
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete && !settled) fail(Object.assign(new Error('connection closed before the body was complete'), { code: 'ECONNRESET' }));
      });
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}

function classify(
  e: NodeJS.ErrnoException,
  at: { tls: boolean; connected: boolean; secured: boolean; gotResponse: boolean; response: Response | undefined },
): ProbeFailure {
  const code = e.code ?? '';
  const msg = e.message || code || 'error';
  if (at.gotResponse) return new ProbeFailure('body', `reading the body failed: ${msg}`, code || 'body', at.response);
  if (DNS_CODES.has(code)) return new ProbeFailure('dns', msg, code);
  if (TLS_CODE.test(code) || (at.tls && at.connected && !at.secured)) return new ProbeFailure('tls', msg, code || 'tls');
  if (!at.connected && CONNECT_CODES.has(code)) return new ProbeFailure('connect', msg, code);
  if (RESET_CODES.has(code) || /socket hang up/i.test(msg)) return new ProbeFailure('reset', msg === 'socket hang up' ? 'socket hang up (the connection closed before a response)' : msg, code || 'ECONNRESET');
  if (code.startsWith('HPE_')) return new ProbeFailure('other', `invalid HTTP response: ${msg}`, code);
  if (CONNECT_CODES.has(code)) return new ProbeFailure('connect', msg, code);
  return new ProbeFailure('other', msg, code || 'error');
}

/** Header values and URL credentials of the service: they never appear in a message. */
function secretsOf(def: ServiceDefinition): string[] {
  const out = Object.values(def.headers);
  try {
    const u = new URL(def.url);
    if (u.password) out.push(decodeURIComponent(u.password), u.password);
    if (u.username) out.push(decodeURIComponent(u.username), u.username);
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}

/** Redacted first, then cut, so a secret is never half-shown. */
export function shortMessage(text: string, secrets: readonly string[]): string {
  const one = redactText(text, secrets).replace(/\s+/g, ' ').trim();
  return one.length > MAX_ERROR_MESSAGE ? `${one.slice(0, MAX_ERROR_MESSAGE - 1)}…` : one;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function roundPhases(p: Phases): Phases {
  const out: Phases = {};
  for (const [k, v] of Object.entries(p) as [keyof Phases, number][]) out[k] = round(v);
  return out;
}
