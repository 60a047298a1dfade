import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../lib/clock.ts';
import type { Reading } from '../snapshot/snapshot.ts';
import { createAlertStateRepo } from '../store/alert-state-repo.ts';
import { openDatabase } from '../store/db.ts';
import { RuleEngine, type PersistedAlert } from './engine.ts';
import { ruleSchema } from './rule-schema.ts';
import { createAlertStateStore } from './state-store.ts';

const rules = [ruleSchema.parse({ alert: 'HighCpu', metric: 'host_cpu_usage_ratio', op: '>', threshold: 0.9, for: '1m' })];
const cpu = (instance: string, value: number): Reading => ({ metric: 'host_cpu_usage_ratio', labels: { instance }, value });

test('states are saved when their shape changes, in chunks, deleted when gone, and restored after a restart', async () => {
  const db = openDatabase(':memory:');
  try {
    const clock = new ManualClock();
    const rows = createAlertStateRepo<PersistedAlert>(db);
    let txs = 0;
    const tx = (fn: () => void) => {
      txs++;
      db.tx(fn);
    };
    const store = createAlertStateStore({ rows, tx, clock, chunk: 2 });
    assert.deepEqual(store.restore(), []);
    const engine = new RuleEngine({ rules, clock });
    await engine.evaluate(['a', 'b', 'c'].map((i) => cpu(i, 0.95)));
    await store.save(engine);
    assert.equal(rows.loadAll().length, 3);
    assert.equal(txs, 2, 'three changed states in chunks of two');

    // same shape (only the value moved): nothing written
    txs = 0;
    await engine.evaluate(['a', 'b', 'c'].map((i) => cpu(i, 0.97)));
    await store.save(engine);
    assert.equal(txs, 0);

    // pending -> firing for all three; c is gone the cycle after
    clock.advance(60_000);
    await engine.evaluate(['a', 'b', 'c'].map((i) => cpu(i, 0.97)));
    await store.save(engine);
    assert.deepEqual(rows.loadAll().map((r) => r.state.state), ['firing', 'firing', 'firing']);
    await engine.evaluate(['a', 'b'].map((i) => cpu(i, 0.97)));
    await store.save(engine);
    assert.equal(rows.loadAll().length, 2);

    // a restart: a new store reads the states back and writes nothing while they are unchanged
    const again = createAlertStateStore({ rows, tx, clock });
    const restored = again.restore();
    assert.equal(restored.length, 2);
    const engine2 = new RuleEngine({ rules, clock });
    assert.deepEqual(engine2.importState(restored), []);
    txs = 0;
    await again.save(engine2);
    assert.equal(txs, 0);
  } finally {
    db.close();
  }
});
