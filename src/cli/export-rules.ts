/**
 * `export-rules [PATH] [--config PATH] [--out FILE] [--group NAME] [--interval DURATION] [--no-keep-firing-for]`
 * Writes the rules of alerts.yaml as a Prometheus alerting-rules file, to stdout or to --out FILE.
 * Exit codes: 0 ok, 1 config invalid or unwritable output (errors on stderr), 2 usage.
 * The config loader and file writer are injected (src/cli/export-rules-main.ts passes loadConfig and fs.writeFile).
 */
import { writeFile as fsWriteFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseDuration } from '../lib/duration.ts';
import type { RuleConfig } from '../config/schema.ts';
import { exportPrometheusRules } from '../rules/export.ts';
import { KNOWN_METRIC_LABELS } from '../wiring/catalog.ts';
import { validateMatchers } from '../rules/matchers.ts';
import { validateTemplate } from '../rules/templates.ts';

export type LoadedConfig = { ok: true; config: { rules: RuleConfig[]; external_labels?: Record<string, string> } } | { ok: false; errors: string[] };

export interface ExportRulesIo {
  /** receives text without a trailing newline (one call per output, like console.log) */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  loadConfig: (path: string) => Promise<LoadedConfig>;
  env?: Record<string, string | undefined>;
  writeFile?: (path: string, text: string) => Promise<void>;
}

export const EXPORT_RULES_USAGE = `Usage: prodpulse export-rules [PATH] [options]

Writes the rules of alerts.yaml as a Prometheus alerting-rules file.

Options:
  --config PATH          config file (default: PRODPULSE_CONFIG, CONFIG_FILE_PATH or ./alerts.yaml)
  --out FILE             write to FILE instead of stdout
  --group NAME           rule group name (default prodpulse)
  --interval DURATION    group evaluation interval, e.g. 30s (default: Prometheus' global interval)
  --no-keep-firing-for   leave keep_firing_for out (Prometheus older than 2.42), with a comment
  -h, --help             this help`;

export async function exportRulesCommand(args: string[], io: ExportRulesIo): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        group: { type: 'string' },
        interval: { type: 'string' },
        'no-keep-firing-for': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr(`export-rules: ${(err as Error).message}\n\n${EXPORT_RULES_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(EXPORT_RULES_USAGE);
    return 0;
  }
  if (positionals.length > 1 || (positionals.length === 1 && values.config !== undefined)) {
    io.stderr(`export-rules: give the config path once\n\n${EXPORT_RULES_USAGE}`);
    return 2;
  }
  let intervalMs: number | undefined;
  if (values.interval !== undefined) {
    intervalMs = parseDuration(values.interval);
    if (intervalMs === undefined || intervalMs <= 0) {
      io.stderr(`export-rules: invalid --interval "${values.interval}" (expected e.g. 15s, 1m)`);
      return 2;
    }
  }
  if (values.group !== undefined && values.group.trim() === '') {
    io.stderr('export-rules: --group must not be empty');
    return 2;
  }

  const env = io.env ?? {};
  const path = positionals[0] ?? values.config ?? env.PRODPULSE_CONFIG ?? env.CONFIG_FILE_PATH ?? './alerts.yaml';
  let loaded: LoadedConfig;
  try {
    loaded = await io.loadConfig(path);
  } catch (err) {
    io.stderr(`${path}: ${(err as Error).message}`);
    return 1;
  }
  if (!loaded.ok) {
    for (const e of loaded.errors) io.stderr(e);
    io.stderr(`${path}: invalid config, nothing exported`);
    return 1;
  }
  const rules = loaded.config.rules;
  const errors = rules.flatMap((r, i) => validateMatchers(r.match).map((e) => `${path}: rules[${i}] (${r.alert}): ${e}`));
  if (errors.length) {
    for (const e of errors) io.stderr(e);
    return 1;
  }
  rules.forEach((r, i) => {
    for (const field of ['summary', 'description'] as const) {
      const text = r[field];
      const problem = text === undefined ? undefined : validateTemplate(text);
      if (problem) io.stderr(`${path}: rules[${i}] (${r.alert}) ${field}: warning: ${problem} (exported as text)`);
    }
  });

  const opts: Parameters<typeof exportPrometheusRules>[1] = {
    keepFiringFor: !values['no-keep-firing-for'],
    externalLabels: Object.keys(loaded.config.external_labels ?? {}),
    metricLabels: KNOWN_METRIC_LABELS,
  };
  if (values.group !== undefined) opts.groupName = values.group;
  if (intervalMs !== undefined) opts.intervalMs = intervalMs;
  const text = exportPrometheusRules(rules, opts);

  if (values.out === undefined) {
    io.stdout(text.replace(/\n$/, ''));
    return 0;
  }
  try {
    await (io.writeFile ?? ((p, t) => fsWriteFile(p, t, 'utf8')))(values.out, text);
  } catch (err) {
    io.stderr(`export-rules: cannot write ${values.out}: ${(err as Error).message}`);
    return 1;
  }
  io.stdout(`${values.out}: ${rules.length} rule${rules.length === 1 ? '' : 's'} written`);
  return 0;
}
