/**
 * One canonical text for a value: keys sorted, undefined dropped, numbers by their exact value, RegExp by source
 * and flags. Two values with the same text are the same for comparison and hashing (rule identity, reload policy).
 */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return `n:${Object.is(v, -0) ? '0' : String(v)}`;
  if (v instanceof RegExp) return `re:${JSON.stringify([v.source, v.flags])}`;
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
