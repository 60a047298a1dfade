import { createHash } from 'node:crypto';

/**
 * Stable id of one alert instance: sha256 over the alert name and its labels sorted by name, first 16 hex chars.
 * Independent of label insertion order; any label change gives a different fingerprint.
 */
export function alertFingerprint(alert: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256').update(JSON.stringify([alert, sorted])).digest('hex').slice(0, 16);
}
