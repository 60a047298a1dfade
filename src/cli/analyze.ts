import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ANALYZE_DEFAULTS, HeartbeatAnalysis, INVALID_REASONS, type AnalyzeResult } from '../heartbeats/analyze.ts';
import { JsonInputError, NotAnArrayError } from '../heartbeats/json-events.ts';
import { parseTimestampString } from '../heartbeats/timestamps.ts';
import { parseCommandArgs } from './args.ts';
import type { Io } from './check.ts';

export const ANALYZE_HELP = `Usage: node src/main.ts analyze --file EVENTS.json [options]

Reads a JSON array of {service, timestamp} events and reports every run of missed heartbeats.

Options:
  -f, --file PATH          the events file (or give it as the first argument)
  -i, --interval SECONDS   expected heartbeat period, 1–86400 (default ${ANALYZE_DEFAULTS.intervalSeconds})
  -m, --allowed-misses N   consecutive missed intervals before an alert, 1–100 (default ${ANALYZE_DEFAULTS.allowedMisses})
  -t, --tolerance SECONDS  grace added to every deadline, ≥ 0 (default ${ANALYZE_DEFAULTS.toleranceSeconds})
      --until TIME|now     also report the silence after each service's last event, up to TIME
      --json               print only the alerts, as [{service, alert_at}] (UTC …Z times)
  -o, --output FILE        write the full alerts [{service, alert_at, missed_count, last_seen}] to FILE
  -q, --quiet              no summary, no progress
  -h, --help               this help

Times are read as ISO 8601 (Z or an offset; no zone = UTC; a space for T; fractions) or unix seconds, and
printed in UTC. Exit status: 0 done (alerts or not), 1 unreadable file or invalid input, 2 bad options.`;

/** The outside edges of the command, replaceable in tests. */
export interface AnalyzeCliDeps {
  /** reads the file in chunks: calls onChunk for each, in order */
  readChunks(path: string, onChunk: (chunk: Uint8Array) => void): void;
  writeFile(path: string, text: string): void;
  /** wall clock, milliseconds since the epoch (for --until now) */
  now(): number;
  /** monotonic milliseconds (progress, processing time) */
  monotonic(): number;
  /** where progress goes, or undefined when stderr is not a terminal */
  progress?: (text: string) => void;
}

const CHUNK = 1 << 20;

export const defaultAnalyzeDeps: AnalyzeCliDeps = {
  readChunks(path, onChunk) {
    const fd = openSync(path, 'r');
    try {
      for (;;) {
        const b = Buffer.allocUnsafe(CHUNK); // fresh per chunk: the reader may keep the unread tail of the last one
        const n = readSync(fd, b, 0, CHUNK, null);
        if (n === 0) break;
        onChunk(n === CHUNK ? b : b.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
  },
  writeFile: (path, text) => writeFileSync(path, text),
  now: () => Date.now(),
  monotonic: () => performance.now(),
  progress: process.stderr.isTTY ? (text) => process.stderr.write(text) : undefined,
};

class UsageError extends Error {}

function numberOption(name: string, raw: string | undefined, fallback: number, check: (n: number) => boolean, rule: string): number {
  if (raw === undefined) return fallback;
  const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!check(n)) throw new UsageError(`--${name} must be ${rule} (got "${raw}")`);
  return n;
}

/** `analyze`: see ANALYZE_HELP. */
export async function analyzeCommand(args: string[], io: Io, deps: AnalyzeCliDeps = defaultAnalyzeDeps): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  let interval: number, allowed: number, tolerance: number, untilUs: number | undefined;
  try {
    ({ values, positionals } = parseCommandArgs(args, {
      file: { type: 'string', short: 'f' },
      interval: { type: 'string', short: 'i' },
      'allowed-misses': { type: 'string', short: 'm' },
      tolerance: { type: 'string', short: 't' },
      until: { type: 'string' },
      json: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
    if (values.help) {
      io.stdout(ANALYZE_HELP);
      return 0;
    }
    interval = numberOption('interval', values.interval as string | undefined, ANALYZE_DEFAULTS.intervalSeconds, (n) => n >= 1 && n <= 86_400, 'a number of seconds from 1 to 86400');
    allowed = numberOption('allowed-misses', values['allowed-misses'] as string | undefined, ANALYZE_DEFAULTS.allowedMisses, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100');
    tolerance = numberOption('tolerance', values.tolerance as string | undefined, ANALYZE_DEFAULTS.toleranceSeconds, (n) => n >= 0 && Number.isFinite(n), 'a number of seconds ≥ 0');
    const until = values.until as string | undefined;
    if (until !== undefined) {
      untilUs = until.trim().toLowerCase() === 'now' ? Math.round(deps.now() * 1000) : parseTimestampString(until);
      if (untilUs === undefined) throw new UsageError(`--until must be "now", an ISO 8601 time or unix seconds (got "${until}")`);
    }
    if (positionals.length > (values.file === undefined ? 1 : 0)) throw new UsageError(`unexpected argument "${positionals.at(-1)}"`);
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
    io.stderr(`Error: ${err.message}`);
    io.stderr('Run "node src/main.ts analyze --help" for the options.');
    return 2;
  }
  const file = (values.file as string | undefined) ?? positionals[0];
  if (file === undefined) {
    io.stderr('Error: no events file: give --file PATH');
    return 2;
  }
  const quiet = values.quiet === true;
  const json = values.json === true;

  const t0 = deps.monotonic();
  // the human summary shows MAX_ALERT_LINES alerts: listing more would only cost memory (alerts_total counts all)
  const listOnlyShown = !json && values.output === undefined;
  const analysis = new HeartbeatAnalysis({
    intervalSeconds: interval,
    allowedMisses: allowed,
    toleranceSeconds: tolerance,
    untilMicros: untilUs,
    now: deps.monotonic,
    ...(listOnlyShown ? { maxAlerts: MAX_ALERT_LINES } : {}),
  });
  const progress = quiet ? undefined : deps.progress;
  let lastShown = t0;
  let shown = false;
  let result: AnalyzeResult;
  try {
    let readBytes = 0;
    deps.readChunks(file, (chunk) => {
      analysis.write(chunk);
      readBytes += chunk.length;
      if (progress) {
        const t = deps.monotonic();
        if (t - t0 > 1000 && t - lastShown > 250) {
          lastShown = t;
          shown = true;
          progress(`\ranalyze: ${(readBytes / 1e6).toFixed(0)} MB read, ${analysis.count.toLocaleString('en-US')} events…`);
        }
      }
    });
    analysis.end();
    result = analysis.finish();
  } catch (err) {
    if (shown) progress?.('\r\x1b[K');
    const e = err as NodeJS.ErrnoException;
    if (err instanceof JsonInputError) io.stderr(`Error: invalid JSON in ${file}: ${err.message}`);
    else if (err instanceof NotAnArrayError) io.stderr(`Error: ${file}: ${err.message}`);
    else if (typeof e?.code === 'string' && e.syscall !== undefined) io.stderr(`Error: cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    else throw err;
    return 1;
  }
  if (shown) progress?.('\r\x1b[K');

  if (values.output !== undefined) {
    const path = values.output as string;
    try {
      deps.writeFile(path, `${JSON.stringify(result.alerts, null, 2)}\n`);
    } catch (err) {
      io.stderr(`Error: cannot write ${path}: ${(err as Error).message}`);
      return 1;
    }
  }
  if (result.alerts_truncated && !listOnlyShown) io.stderr(`Warning: ${result.alerts_total} alerts; only the first ${result.alerts.length} are listed`);
  if (json) {
    io.stdout(JSON.stringify(result.alerts.map((a) => ({ service: a.service, alert_at: a.alert_at })), null, 2));
  } else if (!quiet) {
    for (const line of summaryLines(result, values.output as string | undefined, deps.monotonic() - t0)) io.stdout(line);
  }
  return 0;
}

const MAX_ALERT_LINES = 50;
/** alerts listed in --json and --output (HeartbeatAnalysis' default maxAlerts) */
const MAX_CLI_ALERTS = 1_000_000;
const MAX_INDEXES = 10;

/** The human summary: totals, valid/invalid by reason, services, alerts, processing time. */
export function summaryLines(r: AnalyzeResult, outputPath: string | undefined, elapsedMs: number): string[] {
  const o = r.options;
  const lines = [
    `Heartbeat analysis (interval ${o.interval_seconds}s, allowed misses ${o.allowed_misses}, tolerance ${o.tolerance_seconds}s${o.until ? `, until ${o.until}` : ''})`,
    `Total events:   ${r.total_events}`,
    `Valid events:   ${r.valid_events}`,
    `Invalid events: ${r.invalid_events}`,
  ];
  for (const reason of INVALID_REASONS) {
    const n = r.invalid_by_reason[reason];
    if (n === 0) continue;
    const idx = r.invalid.filter((e) => e.reason === reason).map((e) => e.index);
    const shownIdx = idx.slice(0, MAX_INDEXES).join(', ');
    lines.push(`  ${reason}: ${n} (index ${shownIdx}${n > MAX_INDEXES ? ', …' : ''})`);
  }
  lines.push(`Services:       ${r.services_total}${r.services_total > 0 && r.services_total <= 20 ? ` (${r.services.map((s) => s.service).join(', ')})` : ''}`);
  lines.push(`Alerts:         ${r.alerts_total}`);
  const width = Math.max(0, ...r.alerts.slice(0, MAX_ALERT_LINES).map((a) => a.service.length));
  for (const a of r.alerts.slice(0, MAX_ALERT_LINES)) {
    lines.push(`  ${a.service.padEnd(width)}  ${a.alert_at}  missed ${a.missed_count}, last seen ${a.last_seen}`);
  }
  if (r.alerts_total > MAX_ALERT_LINES) {
    const inFile = outputPath ? (r.alerts_truncated ? `the first ${r.alerts.length} in ${outputPath}` : `all in ${outputPath}`) : r.alerts_total > MAX_CLI_ALERTS ? `--output FILE writes the first ${MAX_CLI_ALERTS}` : '--output FILE writes them all';
    lines.push(`  … ${r.alerts_total - MAX_ALERT_LINES} more (${inFile})`);
  }
  if (outputPath) lines.push(`Alerts written to ${outputPath}`);
  lines.push(`Processing time: ${elapsedMs >= 1000 ? `${(elapsedMs / 1000).toFixed(2)} s` : `${elapsedMs.toFixed(1)} ms`}`);
  return lines;
}

