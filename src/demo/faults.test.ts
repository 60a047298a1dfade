import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DemoFaults } from './faults.ts';

test('faults: each target takes its own faults, RECOVER and NONE clear, "all" clears everything, errors name the choices', () => {
  const seen: string[] = [];
  const f = new DemoFaults(['payment'], ['inventory-api'], (t, x) => seen.push(`${t}=${x}`));
  assert.deepEqual(f.apply('payment', 'high_cpu'), { ok: true, changed: [{ target: 'payment', fault: 'HIGH_CPU' }] }, 'case-insensitive');
  assert.equal(f.get('payment'), 'HIGH_CPU');
  assert.deepEqual(f.apply('inventory-api', 'HIGH_CPU'), { ok: false, error: 'fault for inventory-api (a dependency) must be one of DOWN, VERSION, SLOW, RECOVER, NONE' });
  assert.deepEqual(f.apply('payment', 'VERSION'), { ok: false, error: 'fault for payment (a service) must be one of HIGH_CPU, HIGH_ERROR_RATE, DOWN, RECOVER, NONE' });
  assert.deepEqual(f.apply('nope', 'DOWN'), { ok: false, error: 'target must be one of payment, inventory-api, all' });
  assert.deepEqual(f.apply('payment', 42), { ok: false, error: 'fault must be a string' });
  assert.deepEqual(f.apply('all', 'DOWN'), { ok: false, error: 'target "all" takes RECOVER or NONE only' });
  assert.ok(f.apply('inventory-api', 'VERSION').ok);
  assert.deepEqual(f.state(), { payment: 'HIGH_CPU', 'inventory-api': 'VERSION' });
  assert.ok(f.apply('payment', 'RECOVER').ok);
  assert.equal(f.get('payment'), 'NONE');
  assert.ok(f.apply('all', 'NONE').ok);
  assert.deepEqual(f.state(), { payment: 'NONE', 'inventory-api': 'NONE' });
  assert.deepEqual(seen, ['payment=HIGH_CPU', 'inventory-api=VERSION', 'payment=NONE', 'payment=NONE', 'inventory-api=NONE']);
});
