import assert from 'node:assert/strict';
import { HOST_METRICS } from '../../metrics/catalog.ts';
import type { Reading } from '../../snapshot/snapshot.ts';

/** Every reading names a catalog metric and carries exactly that metric's label names, with finite values. */
export function assertInCatalog(readings: readonly Reading[]): void {
  for (const r of readings) {
    assert.ok(Object.hasOwn(HOST_METRICS, r.metric), `${r.metric} is not in HOST_METRICS`);
    const spec = HOST_METRICS[r.metric as keyof typeof HOST_METRICS];
    assert.deepEqual(Object.keys(r.labels).sort(), [...spec.labels].sort(), `labels of ${r.metric}`);
    for (const v of Object.values(r.labels)) assert.equal(typeof v, 'string', `label value of ${r.metric}`);
    assert.ok(Number.isFinite(r.value), `${r.metric}${JSON.stringify(r.labels)} = ${r.value}`);
  }
}
