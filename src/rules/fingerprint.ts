import { createHash } from 'node:crypto';

// The same alert instances come back every evaluation: remember the hash of each canonical label string.
const memo = new Map<string, string>();
const MEMO_MAX = 50_000;

/**
 * Stable id of one alert instance: sha256 over the alert name and its labels sorted by name, first 16 hex chars.
 * Independent of label insertion order; any label change gives a different fingerprint.
 */
export function alertFingerprint(alert: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  const canonical = JSON.stringify([alert, sorted]);
  let fp = memo.get(canonical);
  if (fp === undefined) {
    fp = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(canonical, fp);
  }
  return fp;
}
