import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigFile, parseConfigText } from './load.ts';

const errorsOf = (text: string, env: Record<string, string> = {}) => {
  const r = parseConfigText(text, 'alerts.yaml', { env });
  assert.equal(r.ok, false, 'expected the config to be rejected');
  return r.ok ? [] : r.errors;
};

test('bad YAML is reported with its line and column', () => {
  const errs = errorsOf('sampling:\n  interval: 5s\nrules: [\n  - alert: X\n');
  assert.equal(errs.length >= 1, true);
  assert.match(errs[0]!, /^alerts\.yaml:\d+:\d+: /);
  assert.match(errs[0]!, /^alerts\.yaml:4:/);
});

test('duplicate keys are rejected', () => {
  const errs = errorsOf('sampling:\n  interval: 5s\n  interval: 10s\n');
  assert.match(errs[0]!, /^alerts\.yaml:3:3: .*[Mm]ap keys must be unique/);
});

test('an unknown key names its own line and full path', () => {
  const errs = errorsOf('sampling:\n  interval: 5s\n  collectors:\n    cpu: true\n    gpu: true\n');
  assert.deepEqual(errs, ['alerts.yaml:5:5: sampling.collectors.gpu: unknown key "gpu"']);
});

test('a wrong type names the value line and field path', () => {
  const errs = errorsOf('rules:\n  - alert: HighCpu\n    metric: host_cpu_usage_ratio\n    op: ">"\n    threshold: 0.9\n    severity: [critical]\n');
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^alerts\.yaml:6:15: rules\[0\]\.severity: /);
});

test('a bad duration says what it expected', () => {
  const errs = errorsOf('sampling:\n  interval: 5 minutes\n');
  assert.deepEqual(errs, ['alerts.yaml:2:13: sampling.interval: invalid duration "5 minutes" (expected e.g. 500ms, 5s, 2m, 4h, 1d)']);
});

test('a missing environment variable names the variable, line and field', () => {
  const errs = errorsOf('channels:\n  ops:\n    type: slack\n    token: ${SLACK_TOKEN}\n    channel: "#ops"\n');
  assert.deepEqual(errs, ['alerts.yaml:4:12: channels.ops.token: environment variable SLACK_TOKEN is not set (use ${SLACK_TOKEN:-default} for a default)']);
});

test('a missing required field points at its parent', () => {
  const errs = errorsOf('rules:\n  - alert: HighCpu\n    op: ">"\n    threshold: 1\n');
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^alerts\.yaml:2:5: rules\[0\]\.metric: /);
});

test('percent thresholds only for *_ratio metrics; unknown channels are named', () => {
  const errs = errorsOf('rules:\n  - alert: L\n    metric: host_load1\n    op: ">"\n    threshold: 90%\n');
  assert.ok(errs.some((e) => /^alerts\.yaml:5:16: rules\[0\]\.threshold: a percentage is only accepted for \*_ratio metrics/.test(e)), errs.join('\n'));
  const errs2 = errorsOf('rules:\n  - alert: L\n    metric: host_load1\n    op: ">"\n    threshold: 4\n    channels: [pager]\n');
  assert.ok(errs2.some((e) => /^alerts\.yaml:6:16: rules\[0\]\.channels\[0\]: unknown channel "pager"/.test(e)), errs2.join('\n'));
});

test('${VAR} and ${VAR:-default} interpolate; a whole unquoted interpolation keeps its YAML type', () => {
  const r = parseConfigText(
    'sampling:\n  interval: ${INTERVAL:-2s}\nrules:\n  - alert: A\n    metric: host_memory_used_ratio\n    op: ">"\n    threshold: ${T}\n    summary: "at ${T} on ${HOST:-box}"\n',
    'alerts.yaml',
    { env: { T: '0.75' } },
  );
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  if (!r.ok) return;
  assert.equal(r.config.sampling.interval, 2000);
  assert.equal(r.config.rules[0]!.threshold, 0.75);
  assert.equal(r.config.rules[0]!.summary, 'at 0.75 on box');
});

test('an empty or comment-only file is refused with a minimal example (a reload must not drop every rule)', () => {
  for (const text of ['', '# nothing here\n\n# at all\n', '---\n', '{}\n']) {
    const errs = errorsOf(text);
    assert.equal(errs.length, 1, JSON.stringify(text));
    assert.match(errs[0]!, /^alerts\.yaml:1:1: \(root\): the file has no settings .*A minimal file:\nrules:\n  - alert: HostHighLoad/s);
  }
  const r = parseConfigText('sampling: {}\n', 'alerts.yaml', { env: {} });
  assert.ok(r.ok && r.config.sampling.interval === 5000, 'one section with defaults is fine');
});

test('YAML alias errors name FILE:LINE:COL: unknown alias, alias bomb', () => {
  assert.deepEqual(errorsOf('rules:\n  - *nope\n'), ['alerts.yaml:2:5: rules[0]: unknown alias *nope (the anchor &nope must be defined before it is used)']);
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]', ''].join('\n');
  const errs = errorsOf(bomb);
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^alerts\.yaml:\d+:\d+: .*too many alias expansions/);
});

test('__proto__, constructor and prototype keys are refused where they are, not dropped silently', () => {
  assert.deepEqual(errorsOf('rules:\n  - alert: A\n    metric: host_load1\n    op: ">"\n    threshold: 1\n    labels:\n      __proto__: x\n'), [
    'alerts.yaml:7:7: rules[0].labels.__proto__: the key "__proto__" is not allowed (it would be dropped silently)',
  ]);
});

test('files over 1 MiB are refused before they are parsed; NUL bytes are refused with their position', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-big-'));
  const big = join(dir, 'alerts.yaml');
  writeFileSync(big, `rules: []\n${'#'.repeat(2 * 1024 * 1024)}\n`);
  const r = await loadConfigFile(big, { env: {} });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.errors[0]!, /alerts\.yaml:1:1: \(root\): the file is \d+ bytes; the limit is 1048576 bytes/);
  assert.match(errorsOf('sampling:\n  interval: 5s\x00\n')[0]!, /^alerts\.yaml:2:15: \(root\): the file contains a NUL byte/);
  const dev = await loadConfigFile('/dev/zero', { env: {} });
  assert.equal(dev.ok, false, '/dev/zero is not read forever');
});

test('a missing file is one clear error', async () => {
  const r = await loadConfigFile('/nonexistent/alerts.yaml', { env: {} });
  assert.deepEqual(r, { ok: false, errors: ['/nonexistent/alerts.yaml:1:1: cannot read file: ENOENT'] });
});

test('the shipped alerts.yaml is valid with no channel variables set, and check exits 0', () => {
  const main = new URL('../main.ts', import.meta.url).pathname;
  const shipped = new URL('../../alerts.yaml', import.meta.url).pathname;
  const env = { PATH: process.env.PATH ?? '' };
  const ok = spawnSync(process.execPath, [main, 'check', shipped], { encoding: 'utf8', env });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /ok: sampling every 5s with 7 collectors, \d+ rules, 4 channels/);

  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-check-'));
  const bad = join(dir, 'alerts.yaml');
  writeFileSync(bad, 'sampling:\n  intervall: 5s\n');
  const res = spawnSync(process.execPath, [main, 'check', bad], { encoding: 'utf8', env });
  assert.equal(res.status, 1);
  assert.match(res.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:3: sampling\\.intervall: unknown key "intervall"$`, 'm'));
});

test('a bad regex in a rule match or a maintenance window is a config error with its line', () => {
  const errs = errorsOf('rules:\n  - alert: A\n    metric: host_filesystem_used_ratio\n    match: { mountpoint: "=~/data/(" }\n    op: ">"\n    threshold: 0.9\n');
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^alerts\.yaml:4:\d+: rules\[0\]\.match\.mountpoint: invalid regular expression "\/data\/\("/);
  const errs2 = errorsOf('maintenance:\n  - matchers: [ { name: alertname, value: "(", isRegex: true } ]\n    starts_at: 2026-01-01T00:00:00Z\n    ends_at: 2025-01-01T00:00:00Z\n');
  assert.ok(errs2.some((e) => /^alerts\.yaml:2:\d+: maintenance\[0\]\.matchers\[0\]\.value: invalid regular expression/.test(e)), errs2.join('\n'));
  assert.ok(errs2.some((e) => /^alerts\.yaml:4:\d+: maintenance\[0\]\.ends_at: ends_at must be after starts_at/.test(e)), errs2.join('\n'));
});

test('a "%" in a channel password is accepted and does not break secret handling', () => {
  const r = parseConfigText('channels:\n  mail: { type: email, url: "smtp://a:pa%ss@127.0.0.1:25", from: a@b, to: [c@d] }\n', 'alerts.yaml', { env: {} });
  assert.ok(r.ok);
});

test('regexes in rules, maintenance and filters run on RE2: JS-only or over-long patterns are refused with a line', () => {
  const rule = (m: string) => `rules:\n  - alert: A\n    metric: host_load1\n    match: { device: "${m}" }\n    op: ">"\n    threshold: 1\n`;
  assert.match(errorsOf(rule('=~(a)\\\\1'))[0]!, /^alerts\.yaml:4:\d+: rules\[0\]\.match\.device: invalid regular expression.*RE2/);
    assert.match(errorsOf(rule(`=~${'a'.repeat(1100)}`))[0]!, /rules\[0\]\.match\.device: a matcher value is at most 1024 characters/);
  const mw = 'maintenance:\n  - matchers: [{ name: alertname, value: "(?<=x)y", isRegex: true }]\n    starts_at: 2026-01-01T00:00:00Z\n    ends_at: 2026-01-02T00:00:00Z\n';
  assert.match(errorsOf(mw)[0]!, /^alerts\.yaml:2:\d+: maintenance\[0\]\.matchers\[0\]\.value: invalid regular expression/);
  assert.match(errorsOf('sampling:\n  network:\n    exclude: "(?!lo)"\n')[0]!, /^alerts\.yaml:3:14: sampling\.network\.exclude: invalid regular expression/);
  const ok = parseConfigText('sampling:\n  network:\n    exclude: "(x+x+)+y"\n', 'alerts.yaml', { env: {} });
  assert.ok(ok.ok && ok.config.sampling.network.exclude?.test('x'.repeat(5000)) === false);
});

test('durations past what a timer can hold (24.8 days) are refused with a clear message', () => {
  assert.deepEqual(errorsOf('sampling:\n  interval: 25d\n'), ['alerts.yaml:2:13: sampling.interval: duration "25d" is too long: the limit is 24d (timers cannot wait longer)']);
  assert.match(errorsOf('sampling:\n  interval: 1e300\n')[0]!, /^alerts\.yaml:2:13: sampling\.interval: duration 1e\+300 \(seconds\) is too long/);
  assert.match(errorsOf('defaults:\n  repeat_interval: 999999999999d\n')[0]!, /^alerts\.yaml:2:20: defaults\.repeat_interval: .*too long/);
  assert.match(errorsOf('rules:\n  - { alert: A, metric: host_load1, op: ">", threshold: 1, for: 30d }\n')[0]!, /rules\[0\]\.for: .*too long/);
  const ok = parseConfigText('sampling:\n  interval: 5s\ndefaults:\n  repeat_interval: 24d\n', 'alerts.yaml', { env: {} });
  assert.equal(ok.ok, true);
});

test('channel URLs need a deliverable scheme: http(s) for webhook/Slack/Alertmanager, smtp(s) with a host for email', () => {
  const hook = (url: string) => errorsOf(`channels:\n  h:\n    type: webhook\n    url: "${url}"\n`);
  for (const url of ['ftp://x/y', 'file:///etc/passwd', 'mailto:a@b', 'javascript:alert(1)', 'gopher://x']) assert.match(hook(url)[0]!, /^alerts\.yaml:4:10: channels\.h\.url: scheme ".*" is not supported here; expected http:\/\/ or https:\/\//, url);
  const am = errorsOf('channels:\n  a:\n    type: alertmanager\n    url: "file:///x"\n');
  assert.match(am[0]!, /channels\.a\.url: scheme "file:"/);
  const slack = errorsOf('channels:\n  s:\n    type: slack\n    token: xoxb-1\n    channel: "#c"\n    api_url: "ftp://x"\n');
  assert.match(slack[0]!, /channels\.s\.api_url: scheme "ftp:"/);
  const mail = (url: string) => errorsOf(`channels:\n  m:\n    type: email\n    url: "${url}"\n    from: a@b\n    to: c@d\n`);
  assert.match(mail('smtp://::::')[0]!, /^alerts\.yaml:4:10: channels\.m\.url: (not a valid URL|the URL has no host)/);
  assert.match(mail('http://mail.example.com')[0]!, /scheme "http:" is not supported here; expected smtp:\/\//);
  const ok = parseConfigText('channels:\n  h: { type: webhook, url: "https://hooks.example.com/x" }\n  m: { type: email, url: "smtps://u:p@mail.example.com:465", from: a@b, to: c@d }\n', 'alerts.yaml', { env: {} });
  assert.equal(ok.ok, true);
});

test('webhook headers are checked like service headers: a line break in a value or a bad name is refused at load, not at every send', () => {
  const errs = errorsOf('channels:\n  h:\n    type: webhook\n    url: "https://hooks.example.com/x"\n    headers: { X-A: "a\\r\\nX-Injected: 1", "Bad Name": v }\n');
  assert.equal(errs.length, 2, errs.join('\n'));
  assert.match(errs.join('\n'), /^alerts\.yaml:5:\d+: channels\.h\.headers\.X-A: header values must not contain line breaks$/m);
  assert.match(errs.join('\n'), /^alerts\.yaml:5:\d+: channels\.h\.headers\.Bad Name: (invalid name: )?must be a valid HTTP header name$/m);
  const ok = parseConfigText('channels:\n  h: { type: webhook, url: "https://hooks.example.com/x", headers: { Authorization: "Bearer x" } }\n', 'alerts.yaml', { env: {} });
  assert.equal(ok.ok, true);
});

test('check refuses what serve would: a bad server.listen, missing or unusable TLS files, each with line and field', () => {
  assert.deepEqual(errorsOf('server:\n  listen: "localhost"\n'), ['alerts.yaml:2:11: server.listen: invalid listen address "localhost" (expected HOST:PORT, e.g. 0.0.0.0:9470)']);
  assert.match(errorsOf('server:\n  listen: "0.0.0.0:99999"\n')[0]!, /^alerts\.yaml:2:11: server\.listen: invalid listen address/);
  const errs = errorsOf('server:\n  tls:\n    cert_file: /nonexistent/cert.pem\n    key_file: /nonexistent/key.pem\n');
  assert.deepEqual(errs, [
    'alerts.yaml:3:16: server.tls.cert_file: cannot read "/nonexistent/cert.pem": ENOENT',
    'alerts.yaml:4:15: server.tls.key_file: cannot read "/nonexistent/key.pem": ENOENT',
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'pp-tls-'));
  writeFileSync(join(dir, 'c.pem'), 'not a certificate');
  writeFileSync(join(dir, 'k.pem'), 'not a key');
  const garbage = errorsOf(`server:\n  tls:\n    cert_file: ${join(dir, 'c.pem')}\n    key_file: ${join(dir, 'k.pem')}\n`);
  assert.match(garbage[0]!, /^alerts\.yaml:3:5: server\.tls: the certificate and key cannot be used together/);
});

test('a rule on a metric no source produces is a warning naming the closest known name; the catalog is injected', () => {
  const text = 'rules:\n  - alert: A\n    metric: host_lod1\n    op: ">"\n    threshold: 1\n';
  const r = parseConfigText(text, 'alerts.yaml', { env: {}, metricLabels: { host_load1: [], host_load5: [] } });
  assert.ok(r.ok);
  assert.deepEqual(r.ok && r.warnings, ['alerts.yaml:3:13: rules[0].metric: warning: no source produces the metric "host_lod1", so this rule can never fire; did you mean "host_load1"?']);
  const known = parseConfigText(text.replace('host_lod1', 'probe_up'), 'alerts.yaml', { env: {}, metricLabels: { probe_up: [] } });
  assert.deepEqual(known.ok && known.warnings, []);
  const unchecked = parseConfigText(text, 'alerts.yaml', { env: {} });
  assert.deepEqual(unchecked.ok && unchecked.warnings, [], 'without a catalog the loader checks no metric names');
});
