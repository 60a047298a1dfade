import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMetricValue, unitOf } from './units.ts';

test('the unit comes from the metric name', () => {
  assert.equal(unitOf('host_memory_available_bytes'), 'bytes');
  assert.equal(unitOf('host_disk_read_bytes_total'), 'bytes');
  assert.equal(unitOf('host_cpu_usage_ratio'), 'ratio');
  assert.equal(unitOf('probe_duration_seconds'), 'seconds');
  assert.equal(unitOf('host_cpu_seconds_total'), 'seconds');
  assert.equal(unitOf('heartbeat_last_seen_timestamp_seconds'), 'timestamp');
  assert.equal(unitOf('host_boot_time_seconds'), 'timestamp');
  assert.equal(unitOf('host_load15'), 'number');
  assert.equal(unitOf(undefined), 'number');
});

test('values read like people write them', () => {
  assert.equal(formatMetricValue('host_memory_available_bytes', 25276510208), '23.54 GiB');
  assert.equal(formatMetricValue('host_memory_available_bytes', 0), '0 B');
  assert.equal(formatMetricValue('host_cpu_usage_ratio', 0.2421), '24.2%');
  assert.equal(formatMetricValue('host_cpu_usage_ratio', 0.9), '90%');
  assert.equal(formatMetricValue('host_cpu_usage_ratio', 0.00042), '0.042%');
  assert.equal(formatMetricValue('probe_duration_seconds', 0.25), '250ms');
  assert.equal(formatMetricValue('heartbeat_missed_seconds', 7380), '2h 3m');
  assert.equal(formatMetricValue('host_boot_time_seconds', 1767268800), '2026-01-01 12:00:00 UTC');
  assert.equal(formatMetricValue('host_load15', 8.123456), '8.123');
  assert.equal(formatMetricValue('probe_consecutive_failures', 3), '3');
  assert.equal(formatMetricValue('host_load15', NaN), 'NaN');
});
