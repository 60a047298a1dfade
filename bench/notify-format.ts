// Formatting cost of a 1 000-alert group (issue 13's blocks, units and links): alertBlocksOf and slackBlocks run
// synchronously (they hold the thread they run on: the channel worker, or the main thread with
// delivery_thread: main); emailParts runs in slices (wall time includes its pauses). Median of 7 runs.
// Run: npx node bench/notify-format.ts
import { alertBlocksOf } from '../src/notify/channels/format.ts';
import { emailParts } from '../src/notify/channels/email.ts';
import { slackBlocks } from '../src/notify/channels/slack.ts';
import { firing } from '../test/support/events.ts';

const now = Date.now();
const shapes = {
  // 10 rules × 100 filesystems: mountpoint and device vary together (no block merges)
  filesystems: Array.from({ length: 1000 }, (_, i) => firing({ alert: `Rule${i % 10}`, metric: 'host_filesystem_used_ratio', labels: { instance: 'web-1', mountpoint: `/m${i}`, device: `sd${i}`, fstype: 'ext4' }, value: 0.9 }, now)),
  // 1 000 CPUs of one rule: one block
  cpus: Array.from({ length: 1000 }, (_, i) => firing({ alert: 'HostHighCpu', metric: 'host_cpu_usage_ratio', labels: { instance: 'web-1', cpu: String(i) }, value: 0.95 }, now)),
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, events] of Object.entries(shapes)) {
  const t = { blocks: [] as number[], slack: [] as number[], email: [] as number[] };
  for (let r = 0; r < 7; r++) {
    let t0 = performance.now();
    alertBlocksOf(events);
    t.blocks.push(performance.now() - t0);
    t0 = performance.now();
    slackBlocks(events, 'http://web-1:9470');
    t.slack.push(performance.now() - t0);
    t0 = performance.now();
    await emailParts(events, 'http://web-1:9470');
    t.email.push(performance.now() - t0);
  }
  console.log(`${name}: alertBlocksOf ${median(t.blocks).toFixed(1)} ms · slackBlocks ${median(t.slack).toFixed(1)} ms · emailParts (sliced, wall) ${median(t.email).toFixed(1)} ms`);
}
