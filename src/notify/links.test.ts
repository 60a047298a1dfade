import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertLinks, portOfListen, resolveExternalUrl } from './links.ts';
import { resolveExternalLabels } from '../rules/external-labels.ts';

test('external URL: configured (trailing slash dropped), else http://<host name>:<port>', () => {
  assert.equal(resolveExternalUrl('https://pp.example.com/sub/', 'web-1', 9470), 'https://pp.example.com/sub');
  assert.equal(resolveExternalUrl(undefined, 'web-1', 9555), 'http://web-1:9555');
  assert.equal(portOfListen('0.0.0.0:9470'), 9470);
  assert.equal(portOfListen('[::]:8080'), 8080);
  assert.equal(portOfListen(undefined), undefined);
});

test('links: the alert page and the silence form, fingerprint encoded; none without a base', () => {
  assert.deepEqual(alertLinks('http://web-1:9470/', 'ab/c'), { alert: 'http://web-1:9470/alerts/ab%2Fc', silence: 'http://web-1:9470/?silence=ab%2Fc' });
  assert.equal(alertLinks(undefined, 'x'), undefined);
});

test('external labels: instance defaults to the host name; set, empty and extra labels', () => {
  assert.deepEqual(resolveExternalLabels({}, 'web-1'), { instance: 'web-1' });
  assert.deepEqual(resolveExternalLabels({ instance: 'db-primary', env: 'prod' }, 'web-1'), { instance: 'db-primary', env: 'prod' });
  assert.deepEqual(resolveExternalLabels({ instance: '', env: '' }, 'web-1'), { instance: 'web-1' }, 'an unset ${VAR:-} falls back / drops');
});
