import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { MiddlewareHandler } from 'hono';
import { jsonError } from './errors.ts';

/**
 * HTTP basic auth for every endpoint, checked against bcrypt hashes (like node_exporter's web config). bcrypt is
 * slow on purpose, so a verified (user, password) pair is cached by its SHA-256 until the hashes change,
 * as exporter-toolkit does; a scrape every few seconds then costs one hash lookup, not one bcrypt run.
 */
export function basicAuthGuard(users: Record<string, string>): MiddlewareHandler {
  const DUMMY_HASH = bcrypt.hashSync('prodpulse-no-such-user', 10);
  const verified = new Set<string>();
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    const user = sep >= 0 ? decoded.slice(0, sep) : '';
    const pass = sep >= 0 ? decoded.slice(sep + 1) : '';
    const known = Object.hasOwn(users, user);
    // an unknown user costs the same bcrypt run as a wrong password, so timing does not reveal which users exist
    const hash = known ? users[user]! : DUMMY_HASH;
    const key = createHash('sha256').update(`${user}\0${pass}\0${hash}`).digest('hex');
    const matches = verified.has(key) || (await bcrypt.compare(pass, hash));
    if (known && matches) {
      if (verified.size > 1000) verified.clear();
      verified.add(key);
      return next();
    }
    c.header('WWW-Authenticate', 'Basic realm="prodpulse", charset="UTF-8"');
    return jsonError(c, 401, 'authentication required: HTTP basic auth with a user from server.basic_auth_users');
  };
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
