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
  { method: 'GET', path: '/', json: true },
  { method: 'GET', path: '/metrics', json: false },
  { method: 'GET', path: '/metrics/live', query: ['history'], json: true },
  { method: 'GET', path: '/health', json: true },
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
];
