/**
 * Property-based checks of the HTTP surface (fast-check): generated paths, query values, bodies (valid ones with
 * fields mutated, wrong types, huge strings, unicode, junk) against every endpoint of test/support/endpoints.ts.
 * The property: every answer is 2xx–4xx, never 5xx; errors are JSON `{error}`; nothing hangs (a 10 s cap per
 * request). Used by test/http-properties.test.ts (bounded runs) and bench/properties.ts (≥ 10 000 per endpoint).
 */
import fc from 'fast-check';
import type { EndpointSpec } from './endpoints.ts';

const junkString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '__proto__', '../../etc/passwd', '%00', '%zz', '(.*.*)*!', 'a'.repeat(5000)),
);
const junkValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    junkString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(junkString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A valid sample with one field replaced, removed, or a whole junk document. */
export function bodyArbitrary(spec: EndpointSpec): fc.Arbitrary<string> {
  const sample = spec.body!.sample as () => Record<string, unknown>;
  const keys = Object.keys(sample());
  const mutated = fc.record({ key: fc.constantFrom(...keys, 'extra'), value: junkValue, drop: fc.boolean() }).map(({ key, value, drop }) => {
    const b = sample();
    if (drop) delete b[key];
    else b[key] = value;
    return JSON.stringify(b);
  });
  const matcherMutation = fc.record({ name: junkString, value: junkString, isRegex: fc.oneof(fc.boolean(), junkValue), isEqual: fc.oneof(fc.boolean(), junkValue) }).map((m) => JSON.stringify({ ...sample(), matchers: [m] }));
  return fc.oneof(mutated, matcherMutation, junkValue.map((v) => JSON.stringify(v) ?? 'null'), junkString, fc.constant(JSON.stringify(sample())));
}

export function queryArbitrary(spec: EndpointSpec): fc.Arbitrary<string> {
  const names = [...(spec.query ?? []), 'unknown', 'limit', '__proto__'];
  return fc.array(fc.tuple(fc.constantFrom(...names), junkString), { maxLength: 4 }).map((pairs) => new URLSearchParams(pairs).toString());
}

export function pathArbitrary(spec: EndpointSpec): fc.Arbitrary<string> {
  const segs = spec.path.split('/');
  return fc.array(junkString, { minLength: segs.length, maxLength: segs.length }).map((vals) =>
    segs.map((s, i) => (s.startsWith(':') ? encodeURIComponent(vals[i]!).slice(0, 3000) || 'x' : s)).join('/'),
  );
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** One request, bounded in time; a hang or a reset is reported as status 0. */
export async function send(base: string, method: string, pathAndQuery: string, body: string | undefined, headers: Record<string, string>): Promise<Answer> {
  try {
    const r = await fetch(`${base}${pathAndQuery}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(10_000) });
    return { status: r.status, contentType: r.headers.get('content-type') ?? '', text: await r.text() };
  } catch (err) {
    return { status: 0, contentType: '', text: String((err as Error)?.message ?? err) };
  }
}

/** Why an answer breaks the property, or undefined. */
export function violation(spec: EndpointSpec, a: Answer): string | undefined {
  if (a.status === 0) return `no answer: ${a.text}`;
  if (a.status >= 500 && !(a.status === 503 && spec.path.startsWith('/ready')) && !(a.status === 503 && a.text.includes('no sample'))) return `status ${a.status}: ${a.text.slice(0, 200)}`;
  if (a.status >= 400 || spec.json) {
    if (!a.contentType.includes('application/json')) return `status ${a.status} with content-type ${a.contentType}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(a.text);
    } catch {
      return `status ${a.status}: body is not JSON`;
    }
    if (a.status >= 400 && typeof (parsed as { error?: unknown }).error !== 'string') return `status ${a.status}: no "error" string`;
  }
  return undefined;
}

/** Runs the property for one endpoint; throws with fast-check's counterexample on failure. */
export async function checkEndpoint(base: string, spec: EndpointSpec, token: string, numRuns: number, seed?: number): Promise<void> {
  const headers: Record<string, string> = spec.write ? { authorization: `Bearer ${token}` } : {};
  const arb = fc.record({
    path: pathArbitrary(spec),
    query: queryArbitrary(spec),
    body: spec.body ? bodyArbitrary(spec) : fc.constant(undefined),
    contentType: fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8'),
  });
  await fc.assert(
    fc.asyncProperty(arb, async ({ path, query, body, contentType }) => {
      const a = await send(base, spec.method, `${path}${query ? `?${query}` : ''}`, body, body !== undefined ? { ...headers, 'content-type': contentType } : headers);
      const v = violation(spec, a);
      if (v) throw new Error(`${spec.method} ${path}?${query}: ${v}`);
    }),
    { numRuns, ...(seed !== undefined ? { seed } : {}), endOnFailure: true },
  );
}
