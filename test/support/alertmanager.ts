import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/** Debian names the binary prometheus-alertmanager; upstream tarballs call it alertmanager. */
export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? (existsSync('/usr/bin/prometheus-alertmanager') ? '/usr/bin/prometheus-alertmanager' : '/usr/bin/alertmanager');

export function alertmanagerAvailable(): boolean {
  return existsSync(ALERTMANAGER_BIN);
}

/** Skip reason when the binary is missing locally; throws under CI=true, where a missing component is a failure. */
export function alertmanagerSkipReason(): string | undefined {
  if (alertmanagerAvailable()) return undefined;
  const msg = `Alertmanager binary not found at ${ALERTMANAGER_BIN} (apt-get install prometheus-alertmanager)`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n!!! SKIPPING: ${msg}\n`);
  return msg;
}

export interface RunningAlertmanager {
  url: string;
  port: number;
  pid: number;
  /** stdout+stderr so far, for failure messages */
  output(): string;
  close(): Promise<void>;
}

const CONFIG = `route:
  receiver: blackhole
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: blackhole
`;

/** Starts the real Alertmanager on 127.0.0.1 (given or free port), clustering off, state in a temp dir; waits for /-/ready. */
export async function startAlertmanager(opts: { port?: number; readyTimeoutMs?: number } = {}): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-am-'));
  await writeFile(join(dir, 'alertmanager.yml'), CONFIG);
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const close = async () => {
    if (!exited && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const t = setTimeout(() => !exited && child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 5000);
      await exit;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (exited) {
      await close();
      throw new Error(`alertmanager exited before ready:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`alertmanager not ready within timeout:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, pid: child.pid!, output: () => out, close };
}

/** An alert as GET /api/v2/alerts returns it (the fields tests look at). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  fingerprint: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export async function getAlerts(url: string, query = ''): Promise<GettableAlert[]> {
  const res = await fetch(`${url}/api/v2/alerts${query}`);
  if (!res.ok) throw new Error(`GET /api/v2/alerts: HTTP ${res.status}`);
  return (await res.json()) as GettableAlert[];
}
