import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSummary, formatBytes, formatPercent, formatSeconds, renderTemplate, validateTemplate } from './templates.ts';

const ctx = { value: 0.934, threshold: 0.9, labels: { instance: 'web-1', alertname: 'HostHighCpu' }, alert: 'HostHighCpu', severity: 'critical', metric: 'host_cpu_usage_ratio' };

test('renders variables and filters', () => {
  assert.equal(renderTemplate('CPU at {{ value | percent }} on {{ labels.instance }}', ctx), 'CPU at 93.4% on web-1');
  assert.equal(renderTemplate('{{alert}} ({{ severity }}) {{ metric }}: {{ value }} > {{ threshold|percent }}', ctx), 'HostHighCpu (critical) host_cpu_usage_ratio: 0.934 > 90%');
  assert.equal(renderTemplate('{{ value | round 2 }} {{ value | round }}', { ...ctx, value: 3.14159 }), '3.14 3');
  assert.equal(renderTemplate('{{ value | bytes }}', { ...ctx, value: 1.5 * 1024 ** 3 }), '1.5 GiB');
  assert.equal(renderTemplate('{{ value | duration }}', { ...ctx, value: 7380 }), '2h 3m');
  assert.equal(renderTemplate('missing "{{ labels.nope }}"', ctx), 'missing ""');
});

test('number formatting helpers', () => {
  assert.equal(formatPercent(0.934), '93.4%');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatPercent(0.12345), '12.35%');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3 * 1024 ** 4), '3 TiB');
  assert.equal(formatSeconds(45), '45s');
  assert.equal(formatSeconds(3600), '1h');
  assert.equal(formatSeconds(90061), '1d 1h');
  assert.equal(formatSeconds(0.25), '250ms');
  assert.equal(formatSeconds(0), '0s');
  assert.equal(renderTemplate('{{ value }}', { ...ctx, value: 0.1 + 0.2 }), '0.3');
  assert.equal(renderTemplate('{{ value }}', { ...ctx, value: Infinity }), '+Inf');
});

test('unknown placeholders render visibly instead of throwing', () => {
  assert.equal(renderTemplate('a {{ foo }} b', ctx), 'a [?{{ foo }}] b');
  assert.equal(renderTemplate('{{ value | shout }}', ctx), '[?{{ value | shout }}]');
  assert.equal(renderTemplate('{{ alert | percent }}', ctx), '[?{{ alert | percent }}]');
});

test('validateTemplate reports unknown variables, filters and unclosed braces', () => {
  assert.equal(validateTemplate('CPU {{ value | percent }} on {{ labels.instance }} {{ threshold | round 1 }}'), undefined);
  assert.match(validateTemplate('{{ foo }}') ?? '', /unknown variable "foo"/);
  assert.match(validateTemplate('{{ value | shout }}') ?? '', /unknown filter "shout"/);
  assert.match(validateTemplate('{{ value | round x }}') ?? '', /round/);
  assert.match(validateTemplate('{{ value | percent 2 }}') ?? '', /takes no argument/);
  assert.match(validateTemplate('{{ labels.instance | bytes }}') ?? '', /filters apply/);
  assert.match(validateTemplate('oops {{ value') ?? '', /unclosed/);
  assert.match(validateTemplate('{{ labels.bad-name }}') ?? '', /unknown variable/);
});

test('default summary', () => {
  assert.equal(
    defaultSummary({ alert: 'DiskFull', metric: 'host_filesystem_used_ratio', op: '>', threshold: 0.85 }, { mountpoint: '/', device: 'sda1' }, 0.91),
    'DiskFull: host_filesystem_used_ratio{device="sda1", mountpoint="/"} is 91% (> 85%)',
  );
  assert.equal(defaultSummary({ alert: 'Load', metric: 'host_load1', op: '>=', threshold: 4 }, {}, 5), 'Load: host_load1 is 5 (>= 4)');
});
