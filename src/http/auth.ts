import { createHash, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { systemClock, type Clock } from '../lib/clock.ts';
import { jsonError } from './errors.ts';
import { bcryptCost, createPasswordVerifier, dummyHash, type PasswordVerifier } from './password-verifier.ts';

export interface BasicAuthOptions {
  clock?: Clock;
  /** failed attempts one client address may make per `failureWindowMs` before it gets 429 without a bcrypt run */
  maxFailures?: number;
  failureWindowMs?: number;
  /** where bcrypt runs (default: a worker thread) */
  verifier?: PasswordVerifier;
}

export interface BasicAuth {
  guard: MiddlewareHandler;
  /** stops the bcrypt thread */
  close(): Promise<void>;
}

const CACHE_LIMIT = 1000;
const addSet = (set: Set<string>, key: string) => {
  if (set.size >= CACHE_LIMIT) set.delete(set.values().next().value!);
  set.add(key);
};

/**
 * HTTP basic auth for every endpoint, checked against bcrypt hashes (like node_exporter's web config), built so
 * that bad logins cannot slow scrapes down:
 * - bcrypt runs on a worker thread (password-verifier.ts), never on the thread serving /metrics;
 * - verified (user, password) pairs and recently failed ones are cached by SHA-256 (as exporter-toolkit caches
 *   successes), so a repeated attempt costs a hash lookup;
 * - a client address with `maxFailures` failures within the window gets 429 + Retry-After, without bcrypt;
 * - an unknown user name is compared against a dummy hash of the highest configured cost, so timing does not
 *   reveal which names exist.
 */
export function createBasicAuth(users: Record<string, string>, opts: BasicAuthOptions = {}): BasicAuth {
  const clock = opts.clock ?? systemClock;
  const maxFailures = opts.maxFailures ?? 10;
  const windowMs = opts.failureWindowMs ?? 60_000;
  const verifier = opts.verifier ?? createPasswordVerifier();
  const DUMMY_HASH = dummyHash(Math.max(10, ...Object.values(users).map(bcryptCost)));
  const verified = new Set<string>();
  const failed = new Set<string>();
  const failuresByAddress = new Map<string, { since: number; n: number }>();

  const refuse = (c: Context) => {
    c.header('WWW-Authenticate', 'Basic realm="prodpulse", charset="UTF-8"');
    return jsonError(c, 401, 'authentication required: HTTP basic auth with a user from server.basic_auth_users');
  };
  const guard: MiddlewareHandler = async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    const user = sep >= 0 ? decoded.slice(0, sep) : '';
    const pass = sep >= 0 ? decoded.slice(sep + 1) : '';
    const known = Object.hasOwn(users, user);
    const hash = known ? users[user]! : DUMMY_HASH;
    const key = createHash('sha256').update(`${user}\0${pass}\0${hash}`).digest('hex');
    if (known && verified.has(key)) return next();
    if (!m) return refuse(c); // no credentials at all: nothing to verify, not counted as a failed attempt

    const address = clientAddress(c);
    const now = clock.now();
    let record = failuresByAddress.get(address);
    if (record && now - record.since >= windowMs) {
      failuresByAddress.delete(address);
      record = undefined;
    }
    if (record && record.n >= maxFailures) {
      c.header('Retry-After', String(Math.max(1, Math.ceil((record.since + windowMs - now) / 1000))));
      return jsonError(c, 429, `too many failed logins from this address; try again later (limit ${maxFailures} per ${Math.round(windowMs / 1000)}s)`);
    }
    const result = failed.has(key) ? 'mismatch' : await verifier.compare(pass, hash);
    if (result === 'busy') {
      c.header('Retry-After', '1');
      return jsonError(c, 503, 'too many logins being verified at once; try again shortly');
    }
    if (known && result === 'match') {
      addSet(verified, key);
      return next();
    }
    addSet(failed, key);
    if (!record) {
      if (failuresByAddress.size >= 10_000) failuresByAddress.delete(failuresByAddress.keys().next().value!);
      record = { since: now, n: 0 };
      failuresByAddress.set(address, record);
    }
    record.n += 1;
    return refuse(c);
  };
  return { guard, close: () => verifier.close() };
}

/** Basic auth middleware (see createBasicAuth); its bcrypt thread is unref'd and ends with the process. */
export function basicAuthGuard(users: Record<string, string>, opts: BasicAuthOptions = {}): MiddlewareHandler {
  return createBasicAuth(users, opts).guard;
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // in-process requests (app.request) have no socket
  }
}

/** Bearer token for write endpoints, compared in constant time. Without a configured token writes are refused. */
export function bearerGuard(token: () => string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const expected = token();
    if (!expected) {
      return jsonError(c, 401, 'write endpoints are disabled: set server.token in alerts.yaml (e.g. token: ${PRODPULSE_TOKEN}) and send "Authorization: Bearer <token>"');
    }
    // With basic auth on, Authorization carries the user's credentials, so the token may come in X-Prodpulse-Token.
    const alt = c.req.header('x-prodpulse-token');
    const given = alt ?? /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (given === undefined || !safeEqual(given.trim(), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="prodpulse"');
      return jsonError(c, 401, 'missing or wrong token (send "Authorization: Bearer <server.token>" or "X-Prodpulse-Token: <server.token>")');
    }
    return next();
  };
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
