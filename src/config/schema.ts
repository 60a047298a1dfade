import { z } from 'zod';
import { ruleSchema } from '../rules/rule-schema.ts';
import { durationMs } from '../lib/duration.ts';
import { COLLECTOR_NAMES, type CollectorName } from '../collectors/index.ts';
import { httpHeadersSchema, serviceDefaultsSchema, serviceSettingIssues, servicesSchema } from './services.ts';
import { heartbeatDefaultsSchema, heartbeatsSchema } from './heartbeats.ts';
import { parseListenAddress } from './listen.ts';
import { MAX_LABEL_NAME_LENGTH, MAX_MATCHER_VALUE_LENGTH, MAX_MATCHERS, patternProblem, SafeRegExp } from '../lib/safe-regex.ts';

/** A regular expression given as a string; compiled here so a bad pattern is a config error with a line. */
const regex = z.string().transform((src, ctx): RegExp => {
  try {
    return new SafeRegExp(src); // RE2: linear time, length-capped (src/lib/safe-regex.ts)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
    return z.NEVER;
  }
});

// node_exporter's defaults (collector/filesystem_linux.go, diskstats_linux.go), loopback excluded for network.
export const DEFAULT_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';
export const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$';
export const DEFAULT_DISK_DEVICE_EXCLUDE = '^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$';
export const DEFAULT_NETWORK_DEVICE_EXCLUDE = '^lo$';

// the config's collector names derive from the one list of host collectors
export { COLLECTOR_NAMES, type CollectorName } from '../collectors/index.ts';

const collectorsEnabled = z
  .strictObject(Object.fromEntries(COLLECTOR_NAMES.map((n) => [n, z.boolean().default(true)])) as Record<CollectorName, z.ZodDefault<z.ZodBoolean>>)
  .default(Object.fromEntries(COLLECTOR_NAMES.map((n) => [n, true])) as Record<CollectorName, boolean>);

const deviceFilter = (defaultExclude: string | undefined) =>
  z
    .strictObject({
      include: regex.optional(),
      exclude: defaultExclude === undefined ? regex.optional() : regex.default(new SafeRegExp(defaultExclude)),
    })
    .prefault({});

export const samplingSchema = z
  .strictObject({
    interval: durationMs.default(5000),
    /** per-collector timeout; defaults to 80% of the interval, at most 10 s */
    timeout: durationMs.optional(),
    collectors: collectorsEnabled,
    filesystem: z
      .strictObject({
        mount_points_exclude: regex.default(new SafeRegExp(DEFAULT_MOUNT_POINTS_EXCLUDE)),
        fs_types_exclude: regex.default(new SafeRegExp(DEFAULT_FS_TYPES_EXCLUDE)),
      })
      .prefault({}),
    disk: deviceFilter(DEFAULT_DISK_DEVICE_EXCLUDE),
    network: deviceFilter(DEFAULT_NETWORK_DEVICE_EXCLUDE),
    /** where the host is read from: in a container, mount the host's /proc, /sys and / and point these at them */
    paths: z
      .strictObject({ procfs: z.string().default('/proc'), sysfs: z.string().default('/sys'), rootfs: z.string().default('/') })
      .prefault({}),
    /** how many snapshots /metrics/live history keeps */
    history: z.number().int().min(1).max(100_000).default(720),
  })
  .prefault({})
  .superRefine((s, ctx) => {
    if (s.interval < 100) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'interval must be at least 100ms' });
    if (s.timeout !== undefined && s.timeout > s.interval)
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'timeout must not exceed the sampling interval' });
  })
  .transform((s) => ({ ...s, timeout: s.timeout ?? Math.min(10_000, Math.round(s.interval * 0.8)) }));

/** a URL with one of these schemes and a host (ftp:, file:, javascript:, `smtp://::::` can never deliver) */
const urlWithScheme = (schemes: string[], hint: string) =>
  z.string().superRefine((v, ctx) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a valid URL; expected ${hint}` });
      return;
    }
    if (!schemes.includes(u.protocol)) ctx.addIssue({ code: 'custom', message: `scheme "${u.protocol}" is not supported here; expected ${hint}` });
    else if (!u.hostname) ctx.addIssue({ code: 'custom', message: `the URL has no host; expected ${hint}` });
  });
const httpUrl = urlWithScheme(['http:', 'https:'], 'http:// or https://');

export const serverSchema = z
  .strictObject({
    /** HOST:PORT; the CLI flag and PRODPULSE_LISTEN take precedence */
    listen: z
      .string()
      .superRefine((v, ctx) => {
        try {
          parseListenAddress(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      })
      .optional(),
    /** bearer token required by write endpoints (POST/DELETE) */
    token: z
      .string()
      .optional()
      .transform((t) => (t === '' ? undefined : t)),
    /** optional HTTPS, like node_exporter's web config */
    tls: z.strictObject({ cert_file: z.string(), key_file: z.string() }).optional(),
    /** username -> bcrypt hash; when set, every endpoint needs HTTP basic auth */
    basic_auth_users: z.record(z.string(), z.string().regex(/^\$2[aby]?\$\d\d\$/, 'must be a bcrypt hash ($2y$...)')).optional(),
    /** external URL of this sidecar, used in alert links (generatorURL) */
    external_url: httpUrl.optional(),
  })
  .prefault({});

export const storageSchema = z.strictObject({ path: z.string().default('./data/prodpulse.db') }).prefault({});

/** alertname and severity come from the rule; every other Prometheus label name may be set here */
export const externalLabelsSchema = z
  .record(
    z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are [a-zA-Z_][a-zA-Z0-9_]*').refine((k) => k !== 'alertname' && k !== 'severity', 'alertname and severity come from the rule'),
    z.string(),
  )
  .default({});

// ---- channels ----------------------------------------------------------------------------------------------
// A channel's credential or address may be empty (e.g. `${SLACK_BOT_TOKEN:-}` with the variable unset): the
// config stays valid and the channel is inactive; see channelInactiveReason.
const optionalUrl = z.union([z.literal(''), httpUrl]);
const slackChannel = z.strictObject({
  type: z.literal('slack'),
  token: z.string(),
  channel: z.string().min(1),
  api_url: httpUrl.optional(),
});
const emailChannel = z.strictObject({
  type: z.literal('email'),
  /** smtp://user:pass@host:port or smtps://… */
  url: z.union([z.literal(''), urlWithScheme(['smtp:', 'smtps:'], 'smtp://user:pass@host:587 or smtps://…:465')]),
  from: z.string().min(1),
  to: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
});
const webhookChannel = z.strictObject({
  type: z.literal('webhook'),
  url: optionalUrl,
  headers: httpHeadersSchema.default({}),
});
const alertmanagerChannel = z.strictObject({
  type: z.literal('alertmanager'),
  /** base URL of the Alertmanager, e.g. http://alertmanager:9093 */
  url: optionalUrl,
  /** how often a firing alert is re-posted so Alertmanager never times it out */
  resend_interval: durationMs.default(60_000),
});
export const channelSchema = z.discriminatedUnion('type', [slackChannel, emailChannel, webhookChannel, alertmanagerChannel]);
export type ChannelConfig = z.infer<typeof channelSchema>;

/** Why a configured channel cannot send (its credential or address is empty), or undefined when it can. */
export function channelInactiveReason(c: ChannelConfig): string | undefined {
  if (c.type === 'slack' && c.token === '') return 'token is empty';
  if (c.type !== 'slack' && c.url === '') return 'url is empty';
  return undefined;
}

// ---- rules: the rule schema and its types are owned by rules/ (src/rules/rule-schema.ts) ----------------------
export { OPS, ruleSchema, type Op, type RuleConfig } from '../rules/rule-schema.ts';

// ---- silences / maintenance --------------------------------------------------------------------------------
export const matcherSchema = z.strictObject({
  name: z.string().min(1).max(MAX_LABEL_NAME_LENGTH, `a label name is at most ${MAX_LABEL_NAME_LENGTH} characters`),
  value: z.string().max(MAX_MATCHER_VALUE_LENGTH, `a matcher value is at most ${MAX_MATCHER_VALUE_LENGTH} characters`),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});
const maintenanceSchema = z
  .strictObject({
    comment: z.string().default(''),
    matchers: z.array(matcherSchema).min(1).max(MAX_MATCHERS, `at most ${MAX_MATCHERS} matchers`),
    starts_at: z.coerce.date(),
    ends_at: z.coerce.date(),
  })
  .superRefine((w, ctx) => {
    w.matchers.forEach((m, i) => {
      if (!m.isRegex) return;
      const problem = patternProblem(m.value);
      if (problem) ctx.addIssue({ code: 'custom', path: ['matchers', i, 'value'], message: `invalid regular expression: ${problem}` });
    });
    if (!(w.ends_at.getTime() > w.starts_at.getTime())) ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'ends_at must be after starts_at' });
  });

// ---- services and heartbeats (used by probes and heartbeat tracking) ---------------------------------------

export const configSchema = z
  .strictObject({
    sampling: samplingSchema,
    server: serverSchema,
    storage: storageSchema,
    /** labels added to every alert, like Prometheus' global.external_labels; instance defaults to the host name */
    external_labels: externalLabelsSchema,
    channels: z.record(z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'channel names use letters, digits, _ . -'), channelSchema).default({}),
    defaults: z
      .strictObject({
        channels: z.array(z.string()).default([]),
        repeat_interval: durationMs.default(4 * 3_600_000),
        send_resolved: z.boolean().default(true),
        /** where channel sends run: a worker thread (scrapes stay fast during alert storms; ~20-30 MB of RSS) or the main thread */
        delivery_thread: z.enum(['worker', 'main']).default('worker'),
        /** what every service probe inherits (interval, timeout, headers, thresholds, …); see src/config/services.ts */
        services: serviceDefaultsSchema,
        /** defaults of `heartbeats:` jobs, auto-registration and stale pushed metrics (config/heartbeats.ts) */
        heartbeats: heartbeatDefaultsSchema,
      })
      .prefault({}),
    rules: z.array(ruleSchema).default([]),
    maintenance: z.array(maintenanceSchema).default([]),
    services: servicesSchema,
    /** a services file in either earlier JSON format, relative to this file; its services join `services` (load.ts) */
    services_file: z.string().min(1).optional(),
    heartbeats: heartbeatsSchema,
  })
  .superRefine((c, ctx) => {
    for (const i of serviceSettingIssues(c.services, c.defaults.services)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
    const names = Object.keys(c.channels);
    c.defaults.channels.forEach((ch, i) => {
      if (!names.includes(ch)) ctx.addIssue({ code: 'custom', path: ['defaults', 'channels', i], message: `unknown channel "${ch}" (defined: ${names.join(', ') || 'none'})` });
    });
    const seen = new Set<string>();
    c.rules.forEach((r, i) => {
      if (seen.has(r.alert)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'alert'], message: `duplicate alert name "${r.alert}"` });
      seen.add(r.alert);
      r.channels?.forEach((ch, j) => {
        if (!names.includes(ch)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'channels', j], message: `unknown channel "${ch}" (defined: ${names.join(', ') || 'none'})` });
      });
    });
  });

export type Config = z.infer<typeof configSchema>;
export type SamplingConfig = Config['sampling'];
