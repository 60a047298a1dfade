/**
 * `demo`: the real sidecar with something to watch, all on 127.0.0.1, so a newcomer sees every feature working
 * within a minute:
 * - a generated config (src/demo/config.ts) in a temp dir: the shipped rules, 1 s sampling;
 * - three simulated services (auth, payment, reporting) that PUSH heartbeats with cpu / memory / latency /
 *   error rate to `POST /heartbeat/NAME` every second (`heartbeats:` jobs, DOWN after more than 5 s without one);
 * - two HTTP dependencies (inventory-api, pricing-api) that report a version, probed for real (`services:` with
 *   expected_version, every second);
 * - faults: `POST /demo/fault {"target", "fault"}` on the sidecar itself (the dashboard's Demo panel posts there)
 *   and on a control port: HIGH_CPU | HIGH_ERROR_RATE | DOWN for services, DOWN | VERSION | SLOW for
 *   dependencies, RECOVER (or NONE) clears, target "all" with RECOVER clears everything;
 * - alerts print in the terminal (a loopback webhook receiver) unless a real channel is configured through the
 *   usual environment variables (SLACK_BOT_TOKEN, SMTP_URL, ALERT_WEBHOOK_URL, ALERTMANAGER_URL).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { loadConfig } from '../wiring/config.ts';
import { listen, parseListen, type Listening } from '../http/server.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { createSidecar, type Sidecar } from '../sidecar.ts';
import { demoConfig } from '../demo/config.ts';
import { startDependency, type Dependency } from '../demo/dependency.ts';
import { DemoFaults } from '../demo/faults.ts';
import { startPusher, type Pusher } from '../demo/pusher.ts';
import { demoRoutes } from '../demo/routes.ts';
import { demoApi } from '../demo/routes.api.ts';
import { startTerminalChannel } from '../demo/terminal.ts';
import type { Io } from './check.ts';

export const DEMO_SERVICES = ['auth', 'payment', 'reporting'] as const;
export const DEMO_DEPENDENCIES: Record<string, string> = { 'inventory-api': '1.4.2', 'pricing-api': '2.0.1' };
/** a check slower than this is slow (ServiceSlow); SLOW answers after DEMO_SLOW_MS (below the 1 s timeout) */
export const DEMO_DEGRADED_LATENCY = '250ms';
export const DEMO_SLOW_MS = 600;

export interface DemoOptions {
  host: string;
  port: number;
  /** the control port (POST /demo/fault); default 0: any free port */
  controlPort?: number;
  logger: Logger;
  print: (line: string) => void;
  /** for the channels: a real one configured here replaces the terminal; default {} */
  env?: Record<string, string | undefined>;
  random?: () => number;
  /** heartbeat push period (default 1000, matching the jobs' 1 s interval) */
  pushIntervalMs?: number;
}

export interface Demo {
  /** the sidecar (dashboard at /) */
  url: string;
  /** the control port's base URL */
  controlUrl: string;
  token: string;
  /** dependency name → its URL */
  dependencies: Record<string, string>;
  /** the channels alerts go to; ['terminal'] unless real ones are configured */
  channels: string[];
  faults: DemoFaults;
  sidecar: Sidecar;
  configPath: string;
  stop(): Promise<void>;
}

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-demo-'));
  const token = randomBytes(12).toString('base64url');
  const random = opts.random ?? Math.random;
  const faults = new DemoFaults(DEMO_SERVICES, Object.keys(DEMO_DEPENDENCIES), (target, fault) => opts.print(`[demo] ${target}: ${fault === 'NONE' ? 'recovered' : fault}`));

  // everything started so far, closed in reverse order by stop() (also when a later step fails)
  const closers: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const terminal = await startTerminalChannel(opts.print);
    closers.push(terminal.close);
    const deps: Dependency[] = [];
    for (const [name, version] of Object.entries(DEMO_DEPENDENCIES)) {
      const d = await startDependency({ name, version, fault: () => faults.get(name), slowMs: DEMO_SLOW_MS });
      closers.push(d.close);
      deps.push(d);
    }

    const env = opts.env ?? {};
    const cfg = await demoConfig({ dir, token, services: DEMO_SERVICES, dependencies: deps, terminalUrl: terminal.url, env, degradedLatency: DEMO_DEGRADED_LATENCY });
    const configPath = join(dir, 'alerts.yaml');
    await writeFile(configPath, cfg.text);
    const loaded = await loadConfig(configPath, { env });
    if (!loaded.ok) throw new Error(`demo config invalid:\n${loaded.errors.join('\n')}`);

    const sidecar = await createSidecar(loaded.config, {
      logger: opts.logger,
      configPath,
      env,
      listenPort: opts.port,
      routes: [(app) => demoRoutes(app, faults)],
      demoPanel: { targets: faults.targets, controlUrl: '/demo/fault', state: () => faults.state() },
      extraApi: [demoApi],
    });
    let listening: Listening;
    try {
      listening = await sidecar.start({ host: opts.host, port: opts.port });
    } catch (err) {
      await sidecar.stop(0);
      throw err;
    }
    closers.push(() => sidecar.stop(2000));

    // the control port: the same fault endpoint, apart from the sidecar
    const controlApp = new Hono();
    demoRoutes(controlApp, faults);
    const control = await listen(controlApp, { host: opts.host, port: opts.controlPort ?? 0 });
    closers.push(() => control.close(500));

    const pushers: Pusher[] = DEMO_SERVICES.map((name) =>
      startPusher({ name, url: listening.url, token, intervalMs: opts.pushIntervalMs ?? 1000, fault: () => faults.get(name), random, onError: (m) => opts.print(`[demo] ${m}`) }),
    );
    // pushers stop first (before the sidecar), so no push meets a closed server
    closers.push(async () => void (await Promise.all(pushers.map((p) => p.stop()))));

    return {
      url: listening.url,
      controlUrl: control.url,
      token,
      dependencies: Object.fromEntries(deps.map((d) => [d.name, d.url])),
      channels: cfg.channels,
      faults,
      sidecar,
      configPath,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** What `demo` prints once everything runs. */
export function banner(demo: Pick<Demo, 'url' | 'controlUrl' | 'token' | 'dependencies' | 'channels'>): string {
  const curl = (base: string, target: string, fault: string) => `curl -X POST ${base}/demo/fault -H 'content-type: application/json' -d '{"target":"${target}","fault":"${fault}"}'`;
  const [dep = 'inventory-api'] = Object.keys(demo.dependencies);
  return `
prodpulse demo: the real sidecar, 1 s sampling, the shipped rules
  dashboard     ${demo.url}/          (a Demo panel of fault buttons at the top)
  API docs      ${demo.url}/docs
  live JSON     ${demo.url}/metrics/live   (status: HEALTHY / DEGRADED / DOWN per target)
  services      ${DEMO_SERVICES.join(', ')}: push heartbeats with cpu/memory/latency/error rate every second
  dependencies  ${Object.entries(demo.dependencies).map(([n, u]) => `${n} ${u}`).join(', ')} (probed every second)
  API token     ${demo.token}   (silences from the dashboard; heartbeat pushes)
  alerts        ${demo.channels.join(', ') === 'terminal' ? 'print here (a webhook channel on loopback)' : `go to ${demo.channels.join(', ')} (configured through the environment)`}

faults (on the sidecar as below, or the same path on the control port ${demo.controlUrl}):
  # payment DEGRADED by HIGH_CPU (CPU > 85 %)
  ${curl(demo.url, 'payment', 'HIGH_CPU')}
  # auth DEGRADED by HIGH_ERROR_RATE (error rate > 0.10)
  ${curl(demo.url, 'auth', 'HIGH_ERROR_RATE')}
  # reporting stops pushing: DOWN (SERVICE_DOWN, HeartbeatMissed) once more than 5 s pass without a heartbeat
  ${curl(demo.url, 'reporting', 'DOWN')}
  # ${dep} reports another version: VERSION DRIFT (VersionDrift); SLOW: ServiceSlow (over ${DEMO_DEGRADED_LATENCY}); DOWN: ServiceDown after 3 failed checks
  ${curl(demo.url, dep, 'VERSION')}
  # everything back to HEALTHY (RECOVER or NONE; a single target works too)
  ${curl(demo.url, 'all', 'RECOVER')}
Ctrl-C stops everything.
`;
}

/** `demo [--listen HOST:PORT] [--control-port PORT]`: runs until SIGINT/SIGTERM. */
export async function demoCommand(args: string[], io: Io): Promise<number> {
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  let at: { host: string; port: number };
  let controlPort = 0;
  try {
    at = parseListen(arg('--listen') ?? io.env.PRODPULSE_LISTEN ?? '127.0.0.1:9470');
    const cp = arg('--control-port');
    if (cp !== undefined) {
      controlPort = Number(cp);
      if (!Number.isInteger(controlPort) || controlPort < 0 || controlPort > 65535) throw new Error(`invalid --control-port "${cp}" (0-65535)`);
    }
  } catch (err) {
    io.stderr((err as Error).message);
    return 2;
  }
  // the terminal shows alerts and faults; the sidecar's own logs only from warnings up unless LOG_LEVEL says otherwise
  const logger = createLogger({ level: io.env.LOG_LEVEL ?? 'warn' });
  let demo: Demo;
  try {
    demo = await startDemo({ ...at, controlPort, logger, print: io.stdout, env: io.env });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    io.stderr(`prodpulse demo: cannot start: ${e.message}${e.code === 'EADDRINUSE' ? ' (is a sidecar already running there? choose another with --listen 127.0.0.1:PORT)' : ''}`);
    return 1;
  }
  io.stdout(banner(demo));
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      io.stdout(`[demo] ${signal}: stopping`);
      const hard = setTimeout(() => resolve(1), 5000);
      hard.unref();
      demo.stop().then(
        () => {
          clearTimeout(hard);
          io.stdout('[demo] stopped');
          resolve(0);
        },
        () => resolve(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
