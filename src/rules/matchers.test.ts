import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMatchers, parseMatchers, validateMatchers } from './matchers.ts';

test('equality, not-equal, regex and negative regex matchers', () => {
  const m = compileMatchers({ mountpoint: '/', fstype: '=~ext4|xfs', device: '!=tmpfs', env: '!~dev.*' });
  assert.equal(m({ mountpoint: '/', fstype: 'ext4', device: 'sda1', env: 'prod' }), true);
  assert.equal(m({ mountpoint: '/boot', fstype: 'ext4', device: 'sda1', env: 'prod' }), false);
  assert.equal(m({ mountpoint: '/', fstype: 'btrfs', device: 'sda1', env: 'prod' }), false);
  assert.equal(m({ mountpoint: '/', fstype: 'xfs', device: 'tmpfs', env: 'prod' }), false);
  assert.equal(m({ mountpoint: '/', fstype: 'xfs', device: 'sda', env: 'devel' }), false);
});

test('regexes are anchored like Prometheus', () => {
  const m = compileMatchers({ fstype: '=~ext4|xfs' });
  assert.equal(m({ fstype: 'ext4' }), true);
  assert.equal(m({ fstype: 'xfs' }), true);
  assert.equal(m({ fstype: 'ext44' }), false, 'anchored at the end, alternation grouped');
  assert.equal(m({ fstype: 'myxfs' }), false, 'anchored at the start');
  assert.equal(compileMatchers({ env: '!~prod' })({ env: 'production' }), true);
});

test('a missing label matches as the empty string', () => {
  assert.equal(compileMatchers({ env: '' })({}), true);
  assert.equal(compileMatchers({ env: '!=prod' })({}), true);
  assert.equal(compileMatchers({ env: '=~.*' })({}), true);
  assert.equal(compileMatchers({ env: '=~.+' })({}), false);
  assert.equal(compileMatchers({})({ anything: 'x' }), true);
});

test('parseMatchers sorts by label and splits operators', () => {
  assert.deepEqual(parseMatchers({ b: '!~x', a: '=~y', c: '!=z', d: 'w' }), [
    { name: 'a', op: '=~', value: 'y' },
    { name: 'b', op: '!~', value: 'x' },
    { name: 'c', op: '!=', value: 'z' },
    { name: 'd', op: '=', value: 'w' },
  ]);
});

test('invalid regexes are reported and make compile throw', () => {
  assert.deepEqual(validateMatchers({ a: '=~ok', b: 'plain(' }), []);
  const errors = validateMatchers({ a: '=~(unclosed' });
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /match\.a: invalid regular expression/);
  assert.throws(() => compileMatchers({ a: '!~[' }), SyntaxError);
});

test('a backtracking-bomb regex cannot wedge the thread (RE2, linear time)', () => {
  const m = compileMatchers({ alertname: '=~(.*.*)*!' });
  assert.equal(m({ alertname: 'a'.repeat(40) }), false);
  assert.equal(m({ alertname: 'abc!' }), true);
  assert.deepEqual(validateMatchers({ x: '=~(a)\\1' }).length, 1, 'backreferences are not RE2');
  assert.equal(validateMatchers({ x: `=~${'a'.repeat(2000)}` }).length, 1, 'length cap');
});
