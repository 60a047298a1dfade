import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactText } from './redact.ts';

test('redactText: token= parameters in URLs and text, given secrets, URL credentials, bearer tokens', () => {
  assert.equal(redactText('GET /heartbeat/job?rid=1&token=abc123&x=2'), 'GET /heartbeat/job?rid=1&token=[REDACTED]&x=2');
  assert.equal(redactText('curl http://h/heartbeat/job?token=abc123'), 'curl http://h/heartbeat/job?token=[REDACTED]');
  assert.equal(redactText('failed with token=abc123, retrying'), 'failed with token=[REDACTED], retrying');
  assert.equal(redactText('access_token=zz api_key=yy'), 'access_token=[REDACTED] api_key=[REDACTED]');
  assert.equal(redactText('mytoken=keep notatoken=keep'), 'mytoken=keep notatoken=keep', 'only whole parameter names');
  assert.equal(redactText('s3cr3t-value and https://u:p@h/x and Bearer abc.def', ['s3cr3t-value']), '[REDACTED] and https://[REDACTED]@h/x and Bearer [REDACTED]');
});

test('redactText: password= and secret= in job output (a libpq connection string, a form body), quoted or not', () => {
  assert.equal(redactText('pg_dump: connection to "host=db user=app password=hunter2 dbname=x" failed'), 'pg_dump: connection to "host=db user=app password=[REDACTED] dbname=x" failed');
  assert.equal(redactText("psql host=db password='hunter 2' sslmode=require"), "psql host=db password=[REDACTED] sslmode=require");
  assert.equal(redactText('grant_type=client_credentials&client_secret=s3cr3t&passwd=p4ss&secret="q w"'), 'grant_type=client_credentials&client_secret=[REDACTED]&passwd=[REDACTED]&secret=[REDACTED]');
  assert.equal(redactText('no_password=keep password_hint=keep'), 'no_password=keep password_hint=keep', 'only whole parameter names');
});
