import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchoredPattern, MAX_PATTERN_LENGTH, patternProblem, SafeRegExp } from './safe-regex.ts';

test('a catastrophic-backtracking pattern answers at once (linear-time RE2)', () => {
  const p = anchoredPattern('(.*.*)*!');
  const t0 = performance.now();
  assert.equal(p.test('a'.repeat(5000)), false);
  assert.equal(p.test('aaaa!'), true);
  // no timing assertion: a backtracking engine would not return from the first call at all
  assert.ok(performance.now() - t0 >= 0);
  assert.equal(new SafeRegExp('(x+x+)+y').test('x'.repeat(10_000)), false);
});

test('anchored like Prometheus; SafeRegExp searches like RegExp.test and keeps source', () => {
  assert.equal(anchoredPattern('ext4|xfs').test('ext44'), false);
  assert.equal(anchoredPattern('ext4|xfs').test('xfs'), true);
  const r = new SafeRegExp('^/(dev|proc)($|/)');
  assert.equal(r.test('/proc/1'), true);
  assert.equal(r.test('/home'), false);
  assert.ok(r instanceof RegExp);
  assert.equal(r.source, new RegExp('^/(dev|proc)($|/)').source);
});

test('invalid, non-RE2 and over-long patterns are refused with a message', () => {
  assert.match(patternProblem('(a') ?? '', /missing closing \)/);
  assert.match(patternProblem('(a)\\1') ?? '', /RE2 syntax/);
  assert.match(patternProblem('a'.repeat(MAX_PATTERN_LENGTH + 1)) ?? '', /limit is 1024/);
  assert.equal(patternProblem('a.*b'), undefined);
});
