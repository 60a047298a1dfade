/** An in-process sidecar on a real 127.0.0.1 port with a fixed host reading, for HTTP-surface tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collector } from '../../src/collectors/collector.ts';
import { LOAD_METRICS } from '../../src/collectors/load.ts';
import { loadConfig as loadConfigFile } from '../../src/wiring/config.ts';
import type { Logger } from '../../src/lib/logger.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createSidecar, type Sidecar, type SidecarDeps } from '../../src/sidecar.ts';

export const TEST_TOKEN = 'test-token-0123456789';

const facts = async () => ({ hostname: 'h', os: 'linux', kernel: 'k', cpuModel: 'c', cpuCores: 1, arch: 'x64', bootTime: 0 }) as never;

export interface InProc {
  sidecar: Sidecar;
  url: string;
  dir: string;
  configPath: string;
  stop(): Promise<void>;
}

/** `yaml` is the whole alerts.yaml (storage defaults to a file in a temp dir); readings come from one fake collector. */
export async function startInProc(yaml?: string, opts: { logger?: Logger; deps?: Partial<SidecarDeps>; value?: () => number } = {}): Promise<InProc> {
  const dir = mkdtempSync(join(tmpdir(), 'pp-inproc-'));
  const configPath = join(dir, 'alerts.yaml');
  writeFileSync(configPath, yaml ?? `sampling: { interval: 1h }\nstorage: { path: ${join(dir, 'pp.db')} }\nserver: { token: ${TEST_TOKEN} }\n`);
  const loaded = await loadConfigFile(configPath, { env: {} });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const one: Collector = { name: 'one', kind: 'host', metrics: LOAD_METRICS, collect: async () => ({ readings: [{ metric: 'host_load1', labels: {}, value: opts.value?.() ?? 1 }], summary: { load1: 1 } }) };
  const sidecar = await createSidecar(loaded.config, { logger: opts.logger ?? silentLogger(), collectors: [one], staticFacts: facts, configPath, env: {}, ...opts.deps });
  const l = await sidecar.start({ host: '127.0.0.1', port: 0 });
  for (let i = 0; i < 200 && (await (await fetch(`${l.url}/metrics`)).arrayBuffer(), sidecar.store.latest === undefined); i++) await new Promise((r) => setTimeout(r, 10));
  return { sidecar, url: l.url, dir, configPath, stop: () => sidecar.stop(200) };
}
