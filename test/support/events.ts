import type { AlertEvent } from '../../src/notify/types.ts';

/** A firing event with sensible defaults; override any field. */
export function firing(over: Partial<AlertEvent> & { alert: string }, now = Date.now()): AlertEvent {
  const severity = over.severity ?? 'critical';
  return {
    kind: 'firing',
    fingerprint: `fp-${over.alert}-${JSON.stringify(over.labels ?? {})}`,
    severity,
    annotations: {},
    value: 1,
    threshold: 0.9,
    startsAt: now - 10 * 60_000,
    summary: `${over.alert} is firing`,
    ...over,
    labels: { alertname: over.alert, severity, ...over.labels },
  };
}

/** The same alert, resolved at `endsAt`. */
export function resolved(e: AlertEvent, endsAt: number): AlertEvent {
  return { ...e, kind: 'resolved', endsAt };
}

/**
 * The group every channel test sends, all on host web-1: two firing (HostHighCpu critical, DiskAlmostFull warning on
 * /data) and one resolved (DiskAlmostFull on /). The CPU summary holds HTML/mrkdwn metacharacters on purpose.
 */
export function sampleGroup(now = Date.now()): AlertEvent[] {
  const cpu = firing(
    {
      alert: 'HostHighCpu',
      severity: 'critical',
      labels: { instance: 'web-1', job: 'node' },
      metric: 'host_cpu_usage_ratio',
      annotations: { description: 'Load is high for 2m' },
      value: 0.9534,
      threshold: 0.9,
      summary: 'CPU at 95% on web-1 <b>&</b>',
    },
    now,
  );
  const diskData = firing({ alert: 'DiskAlmostFull', severity: 'warning', labels: { instance: 'web-1', mountpoint: '/data', device: 'sdb1' }, metric: 'host_filesystem_used_ratio', value: 0.91, threshold: 0.85, summary: 'Disk /data at 91%' }, now);
  const diskRoot = resolved(
    firing({ alert: 'DiskAlmostFull', severity: 'warning', labels: { instance: 'web-1', mountpoint: '/', device: 'sda1' }, metric: 'host_filesystem_used_ratio', value: 0.79, threshold: 0.85, summary: 'Disk / back to 79%' }, now),
    now - 60_000,
  );
  return [cpu, diskData, diskRoot];
}
