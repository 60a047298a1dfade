import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from './load.ts';
import type { Config } from './schema.ts';
import { fixedAtStart, restartNeeded } from './reload-policy.ts';

const parse = (text: string): Config => {
  const r = parseConfigText(text, 'alerts.yaml', { env: {} });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
};

const base = `sampling:
  interval: 5s
  filesystem:
    mount_points_exclude: '^/boot'
server:
  token: one
storage:
  path: ./data/a.db
`;

test('rules, channels, the token and external_url apply without a restart', () => {
  const next = parse(
    base.replace('token: one', 'token: two\n  external_url: http://example.test:9100') +
      `channels:\n  hook:\n    type: webhook\n    url: http://127.0.0.1:1/x\nrules:\n  - alert: HighCpu\n    metric: host_cpu_usage_ratio\n    op: '>'\n    threshold: 0.9\n`,
  );
  assert.equal(restartNeeded(parse(base), next), false);
});

test('sampling, storage and the rest of server need a restart', () => {
  const running = parse(base);
  assert.equal(restartNeeded(running, parse(base.replace('interval: 5s', 'interval: 10s'))), true);
  assert.equal(restartNeeded(running, parse(base.replace('./data/a.db', './data/b.db'))), true);
  assert.equal(restartNeeded(running, parse(base.replace('token: one', 'token: one\n  listen: 127.0.0.1:9200'))), true);
});

test('a changed regular expression counts as a change; the same config twice does not', () => {
  const running = parse(base);
  assert.equal(restartNeeded(running, parse(base)), false);
  assert.equal(fixedAtStart(running), fixedAtStart(parse(base)));
  assert.equal(restartNeeded(running, parse(base.replace("'^/boot'", "'^/boot2'"))), true);
});
