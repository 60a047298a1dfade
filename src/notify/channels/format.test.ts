import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertLines, commonEntries, escapeHtml, escapeMrkdwn, formatTime, formatValue, groupStatus, plainText, rfc3339, timeLine, title } from './format.ts';
import { firing, resolved, sampleGroup } from '../../../test/support/events.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

test('title: firing count and unique names, resolved-only, and a cap on names', () => {
  assert.equal(title(sampleGroup(NOW)), '[FIRING:2] HostHighCpu, DiskAlmostFull');
  const cpu = firing({ alert: 'HostHighCpu' }, NOW);
  assert.equal(title([cpu]), '[FIRING:1] HostHighCpu');
  assert.equal(title([resolved(cpu, NOW)]), '[RESOLVED] HostHighCpu');
  const many = ['A', 'B', 'C', 'D', 'E'].map((alert) => firing({ alert }, NOW));
  assert.equal(title(many), '[FIRING:5] A, B, C +2 more');
});

test('groupStatus is firing when any event fires', () => {
  const cpu = firing({ alert: 'X' }, NOW);
  assert.equal(groupStatus([resolved(cpu, NOW), cpu]), 'firing');
  assert.equal(groupStatus([resolved(cpu, NOW)]), 'resolved');
});

test('values and times are rendered for people', () => {
  assert.equal(formatValue(0.953421), '0.9534');
  assert.equal(formatValue(3), '3');
  assert.equal(formatValue(12345.67), '12346');
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatTime(NOW), '2026-01-01 12:00:00 UTC');
  assert.equal(rfc3339(undefined), '0001-01-01T00:00:00Z');
  assert.equal(rfc3339(NOW), '2026-01-01T12:00:00.000Z');
  const e = firing({ alert: 'X' }, NOW);
  assert.equal(timeLine(e), 'started 2026-01-01 11:50:00 UTC');
  assert.equal(timeLine(resolved(e, NOW + 90_000)), 'resolved 2026-01-01 12:01:30 UTC (lasted 11m30s)');
});

test('alertLines and plainText carry state, summary, value, labels (without alertname/severity)', () => {
  const [cpu] = sampleGroup(NOW);
  assert.deepEqual(alertLines(cpu!), [
    'FIRING HostHighCpu (critical): CPU at 95% on web-1 <b>&</b>',
    '  value: 0.9534 (threshold 0.9)',
    '  started 2026-01-01 11:50:00 UTC',
    '  labels: instance="web-1", job="node"',
    '  description: Load is high for 2m',
  ]);
  const text = plainText(sampleGroup(NOW), 'http://x:1');
  assert.match(text, /^\[FIRING:2\] HostHighCpu, DiskAlmostFull\n\n/);
  assert.match(text, /RESOLVED DiskAlmostFull \(warning\)/);
  assert.match(text, /Source: http:\/\/x:1\n$/);
  const capped = plainText(sampleGroup(NOW), undefined, 1);
  assert.match(capped, /^\[FIRING:2\] /, 'the title still counts every alert');
  assert.match(capped, /FIRING HostHighCpu/);
  assert.doesNotMatch(capped, /RESOLVED DiskAlmostFull/);
  assert.ok(capped.endsWith(`…and ${sampleGroup(NOW).length - 1} more alerts\n`), capped);
});

test('escaping: HTML escapes all five metacharacters, mrkdwn only & < >', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(escapeMrkdwn(`<!channel> & "q"`), '&lt;!channel&gt; &amp; "q"');
});

test('commonEntries keeps only pairs shared by every map', () => {
  assert.deepEqual(commonEntries([{ a: '1', b: '2' }, { a: '1', b: '3' }]), { a: '1' });
  assert.deepEqual(commonEntries([]), {});
});
