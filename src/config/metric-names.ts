/**
 * Which metric names rules may use: a rule on a name no source produces (`host_lod1`) can never fire, so the
 * loader warns with the closest known name. Known: every metric any kind of source declares (src/wiring/catalog.ts, handed to the loader).
 */

/** One warning per rule whose metric is unknown: `{ index, message }`, the message naming the closest known name. */
export function unknownMetricWarnings(rules: readonly { metric: string }[], known: ReadonlySet<string>): { index: number; message: string }[] {
  const out: { index: number; message: string }[] = [];
  rules.forEach((r, index) => {
    if (known.has(r.metric)) return;
    const near = closestName(r.metric, known);
    out.push({ index, message: `no source produces the metric "${r.metric}", so this rule can never fire${near ? `; did you mean "${near}"?` : ''}` });
  });
  return out;
}

/** The known name at the smallest edit distance, if it is close enough to be a likely typo. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k, bestD);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
