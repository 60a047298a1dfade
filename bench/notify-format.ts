import { alertBlocksOf } from '../src/notify/channels/format.ts';
import { emailParts } from '../src/notify/channels/email.ts';
import { slackBlocks } from '../src/notify/channels/slack.ts';
import { firing } from '../test/support/events.ts';
const now = Date.now();
const events = Array.from({ length: 1000 }, (_, i) => firing({ alert: `Rule${i % 10}`, metric: 'host_filesystem_used_ratio', labels: { instance: 'web-1', mountpoint: `/m${i}`, device: `sd${i}`, fstype: 'ext4' }, value: 0.9 }, now));
for (let r = 0; r < 3; r++) {
  let t = performance.now(); alertBlocksOf(events); const a = performance.now() - t;
  t = performance.now(); slackBlocks(events, 'http://x:1'); const b = performance.now() - t;
  t = performance.now(); await emailParts(events, 'http://x:1'); const c = performance.now() - t;
  console.log(`alertBlocksOf ${a.toFixed(1)}ms slackBlocks ${b.toFixed(1)}ms emailParts(sliced, total) ${c.toFixed(1)}ms`);
}
