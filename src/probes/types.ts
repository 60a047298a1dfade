/**
 * The service probe's own types: the normalized service (from alerts.yaml, a services file or the REST API) and
 * one probe result. The producer (probes/) owns them; store/, http/ and the status model import them.
 */

/** Why a check failed: one of a fixed set, so alerts, metrics and the dashboard can group by it. */
export const FAILURE_REASONS = ['dns', 'connect', 'tls', 'timeout', 'reset', 'status', 'redirect', 'body', 'version', 'other'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Where the version is read from; undefined = the JSON body's top-level `version`, then X-Service-Version. */
export type VersionLocator = { json_path: string } | { header: string } | { regex: string };

export interface ServiceDefinition {
  /** stable identity: history, consecutive-failure counts and API paths key on it */
  id: string;
  name: string;
  url: string;
  /** null: no version expected (a found version is recorded, never drift) */
  expectedVersion: string | null;
  environment: string;
  enabled: boolean;
  intervalMs: number;
  timeoutMs: number;
  method: string;
  /** values may hold secrets (from ${VAR}); they are redacted wherever a service is shown */
  headers: Record<string, string>;
  /** undefined: any 2xx */
  expectedStatus: number[] | undefined;
  followRedirects: boolean;
  /** a successful check slower than this counts as slow (ServiceSlow); undefined: never */
  degradedLatencyMs: number | undefined;
  /** consecutive failures that open an incident */
  failureThreshold: number;
  /** consecutive successes that close it */
  successThreshold: number;
  version: VersionLocator | undefined;
  /** config: alerts.yaml or a services file (read-only through the API); api: created through /services */
  source: 'config' | 'api';
  /** the file a config service came from */
  file?: string;
}

export interface ProbeResult {
  serviceId: string;
  /** epoch ms when the check started */
  timestamp: number;
  ok: boolean;
  /** null when no response arrived */
  statusCode: number | null;
  /** total, start to end of body (or to the failure) */
  latencyMs: number;
  /** per phase where cheap; absent when the phase did not happen (no TLS on http, reused connection) */
  phases: { resolveMs?: number; connectMs?: number; tlsMs?: number; firstByteMs?: number; transferMs?: number };
  /** the version the service reported (error responses too); null when none */
  version: string | null;
  /** null when ok */
  reason: FailureReason | null;
  /** short, redacted; null when ok */
  errorMessage: string | null;
  /**
   * A short, stable detail of the failure for log lines and the incident's label: the system error code
   * (ECONNREFUSED, ENOTFOUND, ERR_SSL_WRONG_VERSION_NUMBER), `HTTP 500` for status/redirect failures, or what a
   * timeout was waiting for (`waiting for first byte`). Absent or null when ok. (Added by probes/; optional so
   * results built elsewhere need not set it.)
   */
  errorCode?: string | null;
}
