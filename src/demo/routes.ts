/**
 * `POST /demo/fault {"target", "fault"}` and `GET /demo/fault` (every target's fault), mounted on the sidecar's own
 * app in demo mode (so the dashboard's Demo panel posts same-origin under `connect-src 'self'`) and on the
 * demo's control port. JSON bodies only: a cross-site form cannot send application/json without a preflight.
 */
import type { Hono } from 'hono';
import { jsonError } from '../http/errors.ts';
import type { DemoFaults } from './faults.ts';

const MAX_BODY = 2048;

export function demoRoutes(app: Hono, faults: DemoFaults): void {
  app.get('/demo/fault', (c) => c.json({ faults: faults.state(), targets: faults.targets }));
  app.post('/demo/fault', async (c) => {
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) return jsonError(c, 415, 'send JSON: Content-Type: application/json, body {"target": NAME, "fault": FAULT}');
    const text = await c.req.text();
    if (text.length > MAX_BODY) return jsonError(c, 413, `body larger than ${MAX_BODY} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return jsonError(c, 400, 'request body must be JSON {"target": NAME, "fault": FAULT}');
    }
    const { target, fault } = (body ?? {}) as { target?: unknown; fault?: unknown };
    const r = faults.apply(target, fault);
    if (!r.ok) return jsonError(c, 400, r.error);
    return c.json({ changed: r.changed, faults: faults.state() });
  });
}
