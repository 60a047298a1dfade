/**
 * Every HTTP endpoint of the sidecar, in one place, for the data-driven suites (property tests, secret scan,
 * load bench). Add a row when a route is added (heartbeats, services): the suites pick it up.
 */
export interface EndpointSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  /** Hono-style path; `:name` segments are filled with generated values */
  path: string;
  /** query parameters the endpoint knows (unknown ones must be ignored, known ones checked) */
  query?: readonly string[];
  /** the endpoint reads a JSON body; `sample` is a valid one (generated bodies are built around it) */
  body?: { sample: () => unknown };
  /** needs the bearer token (server.token) */
  write?: boolean;
  /** answers JSON (false: text, e.g. /metrics) */
  json: boolean;
}

const hourFromNow = () => new Date(Date.now() + 3_600_000).toISOString();

export const ENDPOINTS: readonly EndpointSpec[] = [
  { method: 'GET', path: '/', json: false },
  { method: 'GET', path: '/metrics', json: false },
  { method: 'GET', path: '/metrics/live', query: ['history'], json: true },
  { method: 'GET', path: '/health', query: ['environment'], json: true },
  { method: 'GET', path: '/health/:id', query: ['limit'], json: true },
  { method: 'GET', path: '/ready', json: true },
  { method: 'GET', path: '/alerts', query: ['limit', 'offset'], json: true },
  { method: 'GET', path: '/alerts/:fingerprint', json: true },
  { method: 'GET', path: '/silences', query: ['limit', 'offset'], json: true },
  { method: 'GET', path: '/silences/:id', json: true },
  {
    method: 'POST',
    path: '/silences',
    write: true,
    json: true,
    body: { sample: () => ({ matchers: [{ name: 'alertname', value: 'HighCpu', isRegex: false }], endsAt: hourFromNow(), comment: 'maintenance', createdBy: 'ops' }) },
  },
  { method: 'DELETE', path: '/silences/:id', write: true, json: true },
  { method: 'GET', path: '/services', query: ['environment', 'source'], json: true },
  { method: 'GET', path: '/services/:id', json: true },
  { method: 'POST', path: '/services', write: true, json: true, body: { sample: () => ({ id: 'payments', name: 'Payments', url: 'http://127.0.0.1:9/health', expectedVersion: '2.1.0', environment: 'production' }) } },
  { method: 'PUT', path: '/services/:id', write: true, json: true, body: { sample: () => ({ name: 'Payments', url: 'http://127.0.0.1:9/health' }) } },
  { method: 'PATCH', path: '/services/:id', write: true, json: true, body: { sample: () => ({ expectedVersion: '2.2.0' }) } },
  { method: 'DELETE', path: '/services/:id', write: true, json: true },
  { method: 'POST', path: '/services/:id/enable', write: true, json: true },
  { method: 'POST', path: '/services/:id/disable', write: true, json: true },
  { method: 'POST', path: '/heartbeat/:service', query: ['rid', 'token'], write: true, json: false, body: { sample: () => ({ cpu: 50, memory: 40, latency_ms: 12, error_rate: 0.01 }) } },
  { method: 'GET', path: '/heartbeats', json: true },
  { method: 'GET', path: '/heartbeats/:service', json: true },
  { method: 'POST', path: '/analyze', query: ['interval', 'allowed_misses', 'tolerance', 'until'], write: true, json: true, body: { sample: () => [{ service: 'email', timestamp: '2025-08-04T10:00:00Z' }] } },
];
