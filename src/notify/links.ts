/**
 * Where a notification sends people: the alert's page on this sidecar and the form that silences it. One function
 * builds every link, so the dashboard can move them (e.g. to its own alert page) by changing it alone.
 */

/** `server.external_url`, else `http://<host name>:<port>` (the address other machines reach this sidecar at). */
export function resolveExternalUrl(configured: string | undefined, hostname: string, port: number): string {
  if (configured) return configured.replace(/\/+$/, '');
  return `http://${hostname}:${port}`;
}

/** The port of a `HOST:PORT` listen address (`[::]:9470` too), or undefined. */
export function portOfListen(listen: string | undefined): number | undefined {
  const m = listen ? /:(\d{1,5})$/.exec(listen) : null;
  return m ? Number(m[1]) : undefined;
}

export interface AlertLinks {
  /** the alert's page: current state, episodes, deliveries (GET /alerts/:fingerprint) */
  alert: string;
  /** the dashboard's silence form, prefilled for this alert */
  silence: string;
}

/** Links for one alert, or undefined when no external URL is known. */
export function alertLinks(externalUrl: string | undefined, fingerprint: string): AlertLinks | undefined {
  if (!externalUrl) return undefined;
  const base = externalUrl.replace(/\/+$/, '');
  const fp = encodeURIComponent(fingerprint);
  return { alert: `${base}/alerts/${fp}`, silence: `${base}/?silence=${fp}` };
}
