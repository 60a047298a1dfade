import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertBlocksOf, alertLines, blockLines, commonEntries, escapeHtml, escapeMrkdwn, formatTime, formatValue, groupStatus, plainText, rfc3339, timeLine, title } from './format.ts';
import { firing, resolved, sampleGroup } from '../../../test/support/events.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

test('title: firing count and unique names, resolved-only, and a cap on names', () => {
  assert.equal(title(sampleGroup(NOW)), '[FIRING:2] HostHighCpu, DiskAlmostFull on web-1');
  const cpu = firing({ alert: 'HostHighCpu' }, NOW);
  assert.equal(title([cpu]), '[FIRING:1] HostHighCpu');
  assert.equal(title([resolved(cpu, NOW)]), '[RESOLVED] HostHighCpu');
  const on = (instance: string, alert = 'HostHighCpu', severity: 'critical' | 'warning' = 'critical') => firing({ alert, severity, labels: { instance } }, NOW);
  assert.equal(title([on('web-1')]), '[FIRING:1] HostHighCpu on web-1');
  assert.equal(title([on('web-1'), on('web-2'), on('web-3')]), '[FIRING:3] HostHighCpu on 3 hosts');
  assert.equal(title([on('web-1', 'Warn', 'warning'), on('web-1', 'Crit')]), '[FIRING:2] Crit, Warn on web-1', 'critical named first');
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

test('alertLines and plainText carry state, summary, value in its unit, labels (without alertname/severity) and links', () => {
  const [cpu] = sampleGroup(NOW);
  assert.deepEqual(alertLines(cpu!, 'http://x:1/'), [
    'FIRING HostHighCpu (critical): CPU at 95% on web-1 <b>&</b>',
    '  value: 95.3% (threshold 90%)',
    '  started 2026-01-01 11:50:00 UTC',
    '  labels: instance="web-1", job="node"',
    '  description: Load is high for 2m',
    `  alert: http://x:1/alerts/${encodeURIComponent(cpu!.fingerprint)}`,
    `  silence: http://x:1/?silence=${encodeURIComponent(cpu!.fingerprint)}`,
  ]);
  const text = plainText(sampleGroup(NOW), 'http://x:1');
  assert.match(text, /^\[FIRING:2\] HostHighCpu, DiskAlmostFull on web-1\n\n/);
  assert.match(text, /RESOLVED DiskAlmostFull \(warning\): Disk \/ back to 79%\n  value: 79% \(threshold 85%\)\n  resolved 2026-01-01 11:59:00 UTC \(lasted 9m\)/);
  assert.match(text, /Source: http:\/\/x:1\n$/);
  const capped = plainText(sampleGroup(NOW), undefined, 1);
  assert.match(capped, /^\[FIRING:2\] /, 'the title still counts every alert');
  assert.match(capped, /FIRING HostHighCpu/);
  assert.doesNotMatch(capped, /RESOLVED DiskAlmostFull/);
  assert.ok(capped.endsWith(`…and ${sampleGroup(NOW).length - 1} more alerts\n`), capped);
});

test('order: firing before resolved, critical before warning; alerts differing in one label become one block', () => {
  const cpu = (c: string, value: number) => firing({ alert: 'HostHighCpu', metric: 'host_cpu_usage_ratio', labels: { instance: 'web-1', cpu: c }, value, summary: `CPU ${c} busy` }, NOW);
  const warn = firing({ alert: 'HostSwapInUse', severity: 'warning', labels: { instance: 'web-1' } }, NOW);
  const gone = resolved(firing({ alert: 'HostDiskFull', labels: { instance: 'web-1' } }, NOW), NOW);
  const fsA = firing({ alert: 'DiskFull', severity: 'warning', labels: { instance: 'web-1', mountpoint: '/a', device: 'sda1' } }, NOW);
  const fsB = firing({ alert: 'DiskFull', severity: 'warning', labels: { instance: 'web-1', mountpoint: '/b', device: 'sdb1' } }, NOW);
  const blocks = alertBlocksOf([gone, warn, cpu('all', 0.96), cpu('1', 0.97), cpu('0', 0.953), fsA, fsB]);
  assert.deepEqual(
    blocks.map((b) => [b.events.map((e) => e.alert).join('+'), b.varying ?? '-']),
    [['HostHighCpu+HostHighCpu+HostHighCpu', 'cpu'], ['HostSwapInUse', '-'], ['DiskFull', '-'], ['DiskFull', '-'], ['HostDiskFull', '-']],
  );
  assert.deepEqual(blocks[0]!.events.map((e) => e.labels.cpu), ['0', '1', 'all']);
  const lines = blockLines(blocks[0]!, 'http://x:1');
  assert.equal(lines[0], 'FIRING HostHighCpu (critical): 3 alerts by cpu: 0, 1, all');
  assert.match(lines[1]!, /^  cpu=0: 95\.3% · since 2026-01-01 11:50:00 UTC · CPU 0 busy · http:\/\/x:1\/alerts\//);
  assert.ok(lines.includes('  threshold: 90%') && lines.includes('  labels: instance="web-1"'), lines.join('\n'));
  assert.equal(title([gone, warn, cpu('0', 1)]), '[FIRING:2] HostHighCpu, HostSwapInUse, HostDiskFull on web-1');
});

test('escaping: HTML escapes all five metacharacters, mrkdwn only & < >', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(escapeMrkdwn(`<!channel> & "q"`), '&lt;!channel&gt; &amp; "q"');
});

test('commonEntries keeps only pairs shared by every map', () => {
  assert.deepEqual(commonEntries([{ a: '1', b: '2' }, { a: '1', b: '3' }]), { a: '1' });
  assert.deepEqual(commonEntries([]), {});
});
