import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

export interface RunningSidecar {
  url: string;
  port: number;
  pid: number;
  dir: string;
  configPath: string;
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after 6 s); removes the temp dir it made; resolves with the exit code */
  stop(): Promise<number | null>;
  /** SIGKILL, no cleanup: a crash */
  kill(): Promise<void>;
}

/**
 * Starts `node src/main.ts serve` as a real process on 127.0.0.1 with the given alerts.yaml text, in its own temp
 * dir (storage under it unless the config says otherwise); waits until /ready answers 200.
 */
export async function startSidecar(opts: { config: string; env?: Record<string, string>; dir?: string; port?: number; waitReady?: boolean }): Promise<RunningSidecar> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'prodpulse-sidecar-')));
  const configPath = join(dir, 'alerts.yaml');
  await writeFile(configPath, opts.config);
  const port = opts.port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, [MAIN, 'serve', '--config', configPath, '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', NODE_ENV: 'production', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const running: RunningSidecar = {
    url,
    port,
    pid: child.pid!,
    dir,
    configPath,
    output: () => out,
    async stop() {
      let code = child.exitCode;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 6000);
        code = await exited;
        clearTimeout(t);
      }
      if (ownDir) await rm(dir, { recursive: true, force: true });
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  if (opts.waitReady === false) return running;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sidecar exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/ready`);
      if (r.status === 200) return running;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await running.kill();
  throw new Error(`sidecar not ready within 20s:\n${out}`);
}
