/**
 * The far ends for the alert benches, in their own process so they do not share the sidecar's event loop:
 * test/support's Slack double, two webhook sinks (one plays Alertmanager) and the SMTP sink. Prints one JSON line
 * {"ready":{...urls}} then one line per message received: {"ch","t" (epoch ms, sub-ms),"alerts","kinds"}.
 * Run: node bench/sinks.ts   (stopped by SIGTERM to its PID)
 */
import { performance } from 'node:perf_hooks';
import { startSlackDouble } from '../test/support/slack-double.ts';
import { startSmtpSink } from '../test/support/smtp-sink.ts';
import { startWebhookSink } from '../test/support/webhook-sink.ts';

const now = () => performance.timeOrigin + performance.now();
const emit = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** Calls onPush with each element pushed onto the array (the supports record into plain arrays). */
function tap<T>(arr: T[], onPush: (item: T, t: number) => void): void {
  const push = arr.push.bind(arr);
  arr.push = (...items: T[]) => {
    const t = now();
    for (const i of items) onPush(i, t);
    const n = push(...items);
    if (arr.length > 50) arr.splice(0, arr.length - 50); // keep memory flat over long runs
    return n;
  };
}

const slack = await startSlackDouble();
const hook = await startWebhookSink();
const am = await startWebhookSink();
const smtp = await startSmtpSink({ user: 'bench', pass: 'bench-pass' });

tap(slack.requests, (r, t) => {
  const text = String(r.body.text ?? '');
  const m = /\[FIRING:(\d+)\]/.exec(text);
  emit({ ch: 'slack', t, alerts: m ? Number(m[1]) : null, kinds: m ? 'firing' : 'resolved', text: text.slice(0, 80) });
});
tap(hook.requests, (r, t) => {
  const j = r.json as { alerts?: { status?: string }[]; status?: string } | undefined;
  emit({ ch: 'webhook', t, alerts: j?.alerts?.length ?? null, kinds: j?.status ?? [...new Set(j?.alerts?.map((a) => a.status))].join(',') });
});
tap(am.requests, (r, t) => {
  const j = r.json as { endsAt?: string }[] | undefined;
  emit({ ch: 'alertmanager', t, alerts: Array.isArray(j) ? j.length : null, kinds: Array.isArray(j) ? [...new Set(j.map((a) => (a.endsAt && Date.parse(a.endsAt) <= Date.now() ? 'resolved' : 'firing')))].join(',') : '' });
});
tap(smtp.messages, (m, t) => {
  const subject = m.parsed.subject ?? '';
  const f = /\[FIRING:(\d+)\]/.exec(subject);
  emit({ ch: 'email', t, alerts: f ? Number(f[1]) : null, kinds: f ? 'firing' : 'resolved', subject: subject.slice(0, 80) });
});

emit({ ready: { slack: slack.url, webhook: `${hook.url}/hook`, alertmanager: am.url, smtp: smtp.url } });
process.on('SIGTERM', async () => {
  await Promise.allSettled([slack.close(), hook.close(), am.close(), smtp.close()]);
  process.exit(0);
});
