import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractVersion, hasNestedQuantifier, matchVersionPattern, splitPath, versionPatternError } from './version.ts';

const res = (body: string | undefined, headers: Record<string, string> = {}) => ({ body, headers });

test('default: top-level JSON version (numbers become strings, null means none), then X-Service-Version', () => {
  assert.equal(extractVersion(undefined, res('{"version":"2.1.0"}')), '2.1.0');
  assert.equal(extractVersion(undefined, res('{"version": 3}')), '3');
  assert.equal(extractVersion(undefined, res('{"version": 1.5}')), '1.5');
  assert.equal(extractVersion(undefined, res('{"version": null}')), null);
  assert.equal(extractVersion(undefined, res('{"version": null}', { 'x-service-version': '9.0' })), '9.0');
  assert.equal(extractVersion(undefined, res('not json', { 'x-service-version': ' 4.2.0 ' })), '4.2.0');
  assert.equal(extractVersion(undefined, res('{"version": {"a":1}}')), null);
  assert.equal(extractVersion(undefined, res('{"data":{"version":"1"}}')), null, 'top level only');
  assert.equal(extractVersion(undefined, res(undefined)), null);
  assert.equal(extractVersion(undefined, res('{"version":"' + 'x'.repeat(500) + '"}'))!.length, 64);
});

test('json_path, header and regex locators', () => {
  assert.equal(extractVersion({ json_path: 'build.info.version' }, res('{"build":{"info":{"version":"5.0.1"}}}')), '5.0.1');
  assert.equal(extractVersion({ json_path: '$.items[1].v' }, res('{"items":[{"v":"a"},{"v":"b"}]}')), 'b');
  assert.equal(extractVersion({ json_path: 'missing.x' }, res('{"a":1}')), null);
  assert.equal(extractVersion({ json_path: '__proto__.x' }, res('{"a":1}')), null);
  assert.equal(extractVersion({ header: 'X-Build' }, res('', { 'x-build': 'b-77' })), 'b-77');
  assert.equal(extractVersion({ regex: 'Version: v(\\d+\\.\\d+\\.\\d+)' }, res('<html>Version: v1.2.3</html>')), '1.2.3');
  assert.equal(extractVersion({ regex: 'v(\\d+)' }, res('none here')), null);
  assert.deepEqual(splitPath('$.a[0].b'), ['a', '0', 'b']);
});

test('version patterns: length cap, one capture group, no nested quantifiers or backreferences', () => {
  assert.equal(versionPatternError('v(\\d+\\.\\d+)'), undefined);
  assert.match(versionPatternError('x'.repeat(201))!, /longer than 200/);
  assert.match(versionPatternError('v\\d+')!, /capture group/);
  assert.match(versionPatternError('(')!, /invalid regular expression/);
  assert.match(versionPatternError('((a+)+)$')!, /nested quantifiers/);
  assert.match(versionPatternError('(a)\\1')!, /backreferences/);
  assert.equal(hasNestedQuantifier('(\\w+)\\s*(x)'), false);
  assert.equal(hasNestedQuantifier('(a*)*'), true);
  assert.equal(hasNestedQuantifier('(?:a|b+){2,}'), true);
  assert.equal(hasNestedQuantifier('([a+]){3}'), false, 'a + inside a class is a literal');
  assert.equal(hasNestedQuantifier('((x+)y)+'), true, 'nested deeper');
});

test('a catastrophic pattern that passes the static check still ends: the match has a hard timeout', () => {
  // (a|aa)* is not caught statically (no quantifier inside the group), but backtracks exponentially
  const re = /((?:a|aa)*)$b/;
  const t = performance.now();
  assert.equal(matchVersionPattern(re, 'a'.repeat(60) + '!'), null);
  assert.ok(performance.now() - t < 5000);
});
