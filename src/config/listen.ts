/** HOST:PORT parsing shared by the config schema (so `check` refuses what `serve` would) and the server. */
export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`invalid listen address "${text}" (expected HOST:PORT, e.g. 0.0.0.0:9470)`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
