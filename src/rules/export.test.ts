import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { ruleSchema } from './rule-schema.ts';
import { exportPrometheusRules, promExpr, promRule, promSelector, promTemplate } from './export.ts';

const rule = (r: Record<string, unknown>) => ruleSchema.parse(r);

interface PromFile {
  groups: { name: string; interval?: string; rules: { alert: string; expr: string; for?: string; keep_firing_for?: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[];
}

test('selectors carry all four matcher kinds, quoted like PromQL strings', () => {
  assert.equal(promSelector('m', {}), 'm');
  assert.equal(
    promSelector('host_filesystem_used_ratio', { mountpoint: '/', fstype: '=~ext4|xfs', device: '!=tmpfs', path: '!~C:\\\\.*"x' }),
    'host_filesystem_used_ratio{device!="tmpfs", fstype=~"ext4|xfs", mountpoint="/", path!~"C:\\\\\\\\.*\\"x"}',
  );
});

test('expressions: thresholds printed exactly; hysteresis joins ALERTS ignoring the added labels', () => {
  assert.equal(promExpr(rule({ alert: 'A', metric: 'm', op: '>=', threshold: 0.1 + 0.2 })), 'm >= 0.30000000000000004');
  assert.equal(promExpr(rule({ alert: 'A', metric: 'x_ratio', op: '<', threshold: '12.5%' })), 'x_ratio < 0.125');
  assert.equal(promExpr(rule({ alert: 'A', metric: 'm', op: '!=', threshold: -3 })), 'm != -3');
  assert.equal(
    promExpr(rule({ alert: 'Disk', metric: 'm', match: { a: 'b' }, op: '>', threshold: 0.9, clear: 0.8, labels: { team: 'ops' } })),
    '(m{a="b"} > 0.9) or (m{a="b"} > 0.8 and ignoring(alertname, alertstate, severity, team) ALERTS{alertname="Disk", alertstate="firing"})',
  );
});

test('templates translate to Prometheus templating; static parts are written as text', () => {
  const r = rule({ alert: 'Cpu', metric: 'host_cpu_usage_ratio', op: '>', threshold: 0.9, labels: { team: 'ops' }, severity: 'critical' });
  assert.deepEqual(promTemplate('{{ value }} {{ value | percent }} {{ value | bytes }} {{ value | duration }} {{ value | round 1 }}', r), {
    text: '{{ $value }} {{ $value | humanizePercentage }} {{ $value | humanize1024 }}B {{ $value | humanizeDuration }} {{ printf "%.1f" $value }}',
    notes: [],
  });
  assert.equal(
    promTemplate('{{ alert }}/{{ severity }}/{{ metric }} {{ threshold | percent }} {{ labels.instance }} {{ labels.team }} {{ labels.alertname }}', r).text,
    'Cpu/critical/host_cpu_usage_ratio 90% {{ $labels.instance }} ops Cpu',
  );
  const bad = promTemplate('x {{ nope }}', r);
  assert.equal(bad.text, 'x {{ "[?{{ nope }}]" }}');
  assert.equal(bad.notes.length, 1);
});

test('rule file: one group, fields, labels, annotations, comments for what Prometheus cannot carry', () => {
  const text = exportPrometheusRules(
    [
      rule({ alert: 'HostHighCpu', metric: 'host_cpu_usage_ratio', op: '>', threshold: '90%', for: '2m', keep_firing_for: '90s', severity: 'critical', summary: 'CPU at {{ value | percent }}', channels: ['pager'] }),
      rule({ alert: 'Disk', metric: 'host_filesystem_used_ratio', match: { mountpoint: '/', device: '=~(sd|vd).*' }, op: '>', threshold: 0.85, labels: { team: 'ops', severity: 'ignored' }, description: 'd' }),
    ],
    { groupName: 'sidecar', intervalMs: 30_000 },
  );
  const file = parse(text) as PromFile;
  assert.equal(file.groups.length, 1);
  const g = file.groups[0]!;
  assert.equal(g.name, 'sidecar');
  assert.equal(g.interval, '30s');
  assert.deepEqual(g.rules[0], {
    alert: 'HostHighCpu',
    expr: 'host_cpu_usage_ratio > 0.9',
    for: '2m',
    keep_firing_for: '1m30s',
    labels: { severity: 'critical' },
    annotations: { summary: 'CPU at {{ $value | humanizePercentage }}' },
  });
  assert.deepEqual(g.rules[1], {
    alert: 'Disk',
    expr: 'host_filesystem_used_ratio{device=~"(sd|vd).*", mountpoint="/"} > 0.85',
    labels: { team: 'ops', severity: 'warning' },
    annotations: { summary: 'Disk: host_filesystem_used_ratio is {{ $value }} (> 0.85)', description: 'd' },
  });
  assert.match(text, /# channels pager: prodpulse routing only/);
  // JavaScript-only regex constructs no longer reach the exporter: the config refuses them (RE2, src/lib/safe-regex.ts)
});

test('keepFiringFor: false leaves the field out with a comment', () => {
  const text = exportPrometheusRules([rule({ alert: 'A', metric: 'm', op: '>', threshold: 1, keep_firing_for: '5m' })], { keepFiringFor: false });
  assert.equal((parse(text) as PromFile).groups[0]!.rules[0]!.keep_firing_for, undefined);
  assert.match(text, /# keep_firing_for: 5m left out/);
  assert.equal((parse(exportPrometheusRules([], {})) as PromFile).groups[0]!.rules.length, 0);
});

test('external labels: instance stays $labels.instance (the scrape sets it); another external label reads $externalLabels', () => {
  const r = ruleSchema.parse({ alert: 'Mem', metric: 'host_memory_used_ratio', op: '>', threshold: 0.9, summary: '{{ labels.instance }} {{ labels.env }} {{ labels.mountpoint }}' });
  const { rule, notes } = promRule(r, { externalLabels: ['env'], metricLabels: { host_memory_used_ratio: [] } });
  assert.equal((rule.annotations as Record<string, string>).summary, '{{ $labels.instance }} {{ $externalLabels.env }} {{ $labels.mountpoint }}');
  assert.ok(notes.some((n) => n.includes("global.external_labels")));
  assert.deepEqual(rule.labels, { severity: 'warning' }, 'no instance label is written: Prometheus has its own');
});
