import type { ProbeResult, ServiceDefinition } from '../../src/probes/types.ts';
import { testService } from './probe-target.ts';

/** A config-file service as the config loader would produce it (defaults filled in). */
export const configService = (id: string, file = 'services.json', extra: Partial<ServiceDefinition> = {}): ServiceDefinition =>
  testService(`http://127.0.0.1:9/${id}`, { id, name: id, timeoutMs: 5_000, file, ...extra });

/** A probe result; ok ones answer 200 with version 2.1.0, failed ones 500. */
export const probeResult = (serviceId: string, timestamp: number, ok: boolean, latencyMs = 20, extra: Partial<ProbeResult> = {}): ProbeResult => ({
  serviceId,
  timestamp,
  ok,
  statusCode: ok ? 200 : 500,
  latencyMs,
  phases: {},
  version: '2.1.0',
  reason: ok ? null : 'status',
  errorMessage: ok ? null : 'HTTP 500',
  ...extra,
});
