/**
 * External labels: added to every alert's labels, like Prometheus' `global.external_labels`, so each notification
 * says which sidecar (host) it comes from. `instance` defaults to the host name (from the static facts); a
 * configured value overrides it, an empty one (`instance: ${INSTANCE:-}` unset) falls back to the host name, and
 * an empty value for any other label drops it. A label the series or the rule already has wins over these.
 */
export function resolveExternalLabels(configured: Readonly<Record<string, string>>, hostname: string): Record<string, string> {
  const out: Record<string, string> = { instance: hostname };
  for (const [k, v] of Object.entries(configured)) {
    if (v !== '') out[k] = v;
    else if (k !== 'instance') delete out[k];
  }
  return out;
}
