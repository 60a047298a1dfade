import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { unknownMetricWarnings } from './metric-names.ts';
import { parse as parseYamlScalar, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair } from 'yaml';
import type { z } from 'zod';
import { loadServicesFile } from './services-file.ts';
import { configSchema, type Config } from './schema.ts';
import { templateLabelWarnings } from '../rules/template-labels.ts';

/** `warnings`: accepted but suspicious (a rule on a metric no source produces, a template label that is always empty), each `FILE:LINE:COL: field: warning: message` */
export type LoadResult = { ok: true; config: Config; warnings: string[] } | { ok: false; errors: string[] };

export interface LoadOptions {
  /** environment used for ${VAR} interpolation; default process.env */
  env?: Record<string, string | undefined>;
  /**
   * Every metric some source can produce → the label names its series carry (src/wiring/catalog.ts; the sidecar
   * and the CLI load through src/wiring/config.ts, which passes it). With it, a rule on an unknown metric and a
   * template label a metric never has are warnings; without it, neither is checked.
   */
  metricLabels?: Readonly<Record<string, readonly string[]>>;
  /** check that files the config names (TLS cert and key) exist and load, as `serve` would; default true */
  checkFiles?: boolean;
}

/**
 * The largest alerts.yaml accepted: 1 MiB. A real file is a few kB; a 10 MB one took seconds of parsing on the
 * thread that serves /metrics and a gigabyte of memory. Checked before the file is read whole.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** YAML aliases expanded at most this many times (a "billion laughs" file is refused, not expanded) */
export const MAX_ALIAS_COUNT = 100;

/** What `check` prints and the loader says for an empty file. */
export const MINIMAL_CONFIG_EXAMPLE = 'rules:\n  - alert: HostHighLoad\n    metric: host_load1\n    op: ">"\n    threshold: 4';

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_INTERPOLATION = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/** Reads and validates an alerts.yaml file. Every error is `FILE:LINE:COL: path.to.field: message`. */
export async function loadConfigFile(file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  // CONFIG_FILE_PATH / --config pointing straight at an earlier monitor's services.json
  if (extname(file).toLowerCase() === '.json') return configFromServicesFile(file, opts);
  let text: string;
  try {
    const fh = await open(file, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile()) return { ok: false, errors: [`${file}:1:1: cannot read file: not a regular file`] };
      // read at most one byte past the limit: a huge (or endless, like /dev/zero) file is never read whole
      const buf = Buffer.alloc(Math.min(st.size || MAX_CONFIG_BYTES, MAX_CONFIG_BYTES) + 1);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_CONFIG_BYTES || st.size > MAX_CONFIG_BYTES) return { ok: false, errors: [tooBig(file, Math.max(st.size, bytesRead))] };
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    return { ok: false, errors: [`${file}:1:1: cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`] };
  }
  const parsed = parseConfigText(text, file, opts);
  if (!parsed.ok || parsed.config.services_file === undefined) return parsed;
  return withServicesFile(parsed.config, resolve(dirname(file), parsed.config.services_file), parsed.warnings);
}

/** Every file a loaded config was read from, for the watcher: the config file and its services_file. */
export function configFiles(configPath: string, config: Config): string[] {
  if (config.services_file === undefined) return [configPath];
  const services = resolve(dirname(configPath), config.services_file);
  return services === resolve(configPath) ? [configPath] : [configPath, services];
}

/** The alerts.yaml shipped beside src/ (the Docker image copies it to the app folder too). */
export const SHIPPED_CONFIG_PATH = fileURLToPath(new URL('../../alerts.yaml', import.meta.url));

/**
 * A full config from a services file alone: the shipped alerts.yaml (its rules, and its channels, which stay
 * inactive unless their environment variables are set) with the file's services instead of its own.
 */
export async function configFromServicesFile(file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  let shipped: string;
  try {
    shipped = await readFile(SHIPPED_CONFIG_PATH, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${SHIPPED_CONFIG_PATH}:1:1: cannot read the shipped default config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`] };
  }
  const base = parseConfigText(shipped, SHIPPED_CONFIG_PATH, opts);
  if (!base.ok) return base;
  return withServicesFile({ ...base.config, services: [], services_file: file }, file, base.warnings);
}

/** Adds a services file's entries to `services`; ids must stay unique across both. */
async function withServicesFile(config: Config, path: string, warnings: string[] = []): Promise<LoadResult> {
  const taken = new Map(config.services.map((s, i) => [s.id, `services[${i}] of the config file`] as const));
  const loaded = await loadServicesFile(path, taken);
  if (!loaded.ok) return loaded;
  return { ok: true, config: { ...config, services: [...config.services, ...loaded.services] }, warnings };
}

/** Parses alerts.yaml text; `file` is only used in messages. Never throws: anything unexpected is an error line too. */
export function parseConfigText(text: string, file: string, opts: LoadOptions = {}): LoadResult {
  try {
    return parseConfigTextOrThrow(text, file, opts);
  } catch (err) {
    return { ok: false, errors: [`${file}:1:1: (root): cannot load the file: ${firstLine((err as Error)?.message ?? String(err))}`] };
  }
}

function parseConfigTextOrThrow(text: string, file: string, opts: LoadOptions): LoadResult {
  const env = opts.env ?? process.env;
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) return { ok: false, errors: [tooBig(file, Buffer.byteLength(text))] };
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    const col = nul - text.lastIndexOf('\n', nul - 1);
    return { ok: false, errors: [`${file}:${line}:${col}: (root): the file contains a NUL byte; alerts.yaml must be UTF-8 text`] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number | undefined): string => {
    const { line, col } = lines.linePos(offset ?? 0);
    return `${file}:${line}:${col}`;
  };

  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => `${where(e.pos[0])}: ${firstLine(e.message)}`) };
  }

  const errors: string[] = [];
  interpolate(doc, env, (node, path, message) => errors.push(`${where(node.range?.[0])}: ${formatPath(path)}: ${message}`));
  if (errors.length > 0) return { ok: false, errors };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null) || (isMap(doc.contents) && doc.contents.items.length === 0)) {
    return {
      ok: false,
      errors: [
        `${file}:1:1: (root): the file has no settings (empty or only comments); refusing it rather than dropping every rule, channel and token. A minimal file:\n${MINIMAL_CONFIG_EXAMPLE}`,
      ],
    };
  }
  const protoKeys = findKeys(doc, (k) => k === '__proto__' || k === 'constructor' || k === 'prototype');
  if (protoKeys.length > 0) {
    return { ok: false, errors: protoKeys.map(({ node, path }) => `${where(node.range?.[0])}: ${formatPath(path)}: the key "${path.at(-1)}" is not allowed (it would be dropped silently)`) };
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    return { ok: false, errors: [aliasError(doc, err as Error, where)] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [`${where(doc.contents?.range?.[0])}: (root): expected a mapping of sections (sampling, channels, rules, …)`] };
  }
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) {
    const config = parsed.data;
    const fileErrors = opts.checkFiles === false ? [] : tlsFileErrors(config).map(({ path, message }) => `${where(nodeAt(doc, path)?.range?.[0] ?? closestAncestor(doc, path)?.range?.[0])}: ${formatPath(path)}: ${message}`);
    if (fileErrors.length > 0) return { ok: false, errors: fileErrors };
    const warnings: string[] = [];
    if (opts.metricLabels) {
      for (const { index, message } of unknownMetricWarnings(config.rules, new Set(Object.keys(opts.metricLabels)))) {
        const path = ['rules', index, 'metric'];
        warnings.push(`${where(nodeAt(doc, path)?.range?.[0] ?? closestAncestor(doc, path)?.range?.[0])}: ${formatPath(path)}: warning: ${message}`);
      }
      for (const w of templateLabelWarnings(config.rules, opts.metricLabels, Object.keys(config.external_labels)))
        warnings.push(`${where(nodeAt(doc, w.path)?.range?.[0])}: ${formatPath(w.path)}: warning: ${w.message}`);
    }
    return { ok: true, config, warnings };
  }
  return { ok: false, errors: parsed.error.issues.flatMap((issue) => describeIssue(doc, issue, where)) };
}

/** What `serve` would refuse about server.tls: files that are missing, unreadable, or not a usable cert/key pair. */
function tlsFileErrors(config: Config): { path: (string | number)[]; message: string }[] {
  const tls = config.server.tls;
  if (!tls) return [];
  const out: { path: (string | number)[]; message: string }[] = [];
  const read = (field: 'cert_file' | 'key_file'): Buffer | undefined => {
    try {
      return readFileSync(tls[field]);
    } catch (err) {
      out.push({ path: ['server', 'tls', field], message: `cannot read "${tls[field]}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      return undefined;
    }
  };
  const cert = read('cert_file');
  const key = read('key_file');
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      out.push({ path: ['server', 'tls'], message: `the certificate and key cannot be used together: ${firstLine((err as Error).message)}` });
    }
  }
  return out;
}

function tooBig(file: string, bytes: number): string {
  return `${file}:1:1: (root): the file is ${bytes} bytes; the limit is ${MAX_CONFIG_BYTES} bytes (1 MiB): a config this large is a mistake (generated rules?)`;
}

/** An alias that cannot be resolved or expands too often, at the alias itself. */
function aliasError(doc: Document, err: Error, where: (offset: number | undefined) => string): string {
  const unresolved = /Unresolved alias.*: (.+)$/.exec(err.message)?.[1];
  let at: Node | undefined;
  let path: (string | number)[] = [];
  visit(doc, {
    Alias(_k, node, ancestors) {
      if (unresolved === undefined || node.source === unresolved) {
        at = node as unknown as Node;
        path = pathOf(ancestors, node as unknown as Node);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  const message =
    unresolved !== undefined
      ? `unknown alias *${unresolved} (the anchor &${unresolved} must be defined before it is used)`
      : /alias count|resource exhaustion/i.test(err.message)
        ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): a YAML "billion laughs" document is refused`
        : `cannot resolve YAML aliases: ${firstLine(err.message)}`;
  return `${where(at?.range?.[0])}: ${formatPath(path)}: ${message}`;
}

/** Map keys (anywhere) for which `test` holds, with their paths. */
function findKeys(doc: Document, test: (key: string) => boolean): { node: Node; path: (string | number)[] }[] {
  const out: { node: Node; path: (string | number)[] }[] = [];
  visit(doc, {
    Pair(_k, pair, ancestors) {
      if (isScalar(pair.key) && test(String(pair.key.value))) {
        const parent = ancestors.at(-1);
        const parentPath = isMap(parent) ? pathOf(ancestors.slice(0, -1), parent as unknown as Node) : [];
        out.push({ node: pair.key, path: [...parentPath, String(pair.key.value)] });
      }
    },
  });
  return out;
}

/** Replaces ${VAR} and ${VAR:-default} in scalar values, in place; reports each unset variable. */
function interpolate(doc: Document, env: Record<string, string | undefined>, report: (node: Node, path: (string | number)[], message: string) => void): void {
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const path = pathOf(ancestors, node);
      const original = node.value;
      let missing: string | undefined;
      const replaced = original.replace(INTERPOLATION, (_m, name: string, fallback: string | undefined) => {
        const v = env[name];
        if (v !== undefined && v !== '') return v;
        if (fallback !== undefined) return fallback;
        missing ??= name;
        return '';
      });
      if (missing !== undefined) {
        report(node, path, `environment variable ${missing} is not set (use \${${missing}:-default} for a default)`);
        return;
      }
      // An unquoted value that is only an interpolation takes the type it would have had written out (0.9, true).
      node.value = node.type === 'PLAIN' && WHOLE_INTERPOLATION.test(original) ? typed(replaced) : replaced;
    },
  });
}

/** "0.9" → 0.9, "true" → true; anything else stays the string it is. */
function typed(text: string): unknown {
  if (text.trim() === '') return text;
  try {
    const v: unknown = parseYamlScalar(text);
    return typeof v === 'number' || typeof v === 'boolean' ? v : text;
  } catch {
    return text;
  }
}

function pathOf(ancestors: readonly unknown[], node: Node): (string | number)[] {
  const path: (string | number)[] = [];
  let child: unknown = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i];
    if (isSeq(a)) path.unshift(a.items.indexOf(child as Node));
    else if (isMap(a)) {
      const pair = child as Pair;
      if (isScalar(pair.key)) path.unshift(String(pair.key.value));
    }
    child = a;
  }
  return path.filter((p) => p !== -1);
}

/** Maps one zod issue to file positions: unknown keys point at each key, other issues at the closest node. */
function describeIssue(doc: Document, issue: z.core.$ZodIssue, where: (offset: number | undefined) => string): string[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyNode = findKeyNode(doc, path, key);
      return `${where(keyNode?.range?.[0] ?? nodeAt(doc, path)?.range?.[0])}: ${formatPath([...path, key])}: unknown key "${key}"`;
    });
  }
  if (issue.code === 'invalid_key') {
    // a record key that fails its own check (a channel name): point at the key, with the key check's message
    const keyNode = findKeyNode(doc, path.slice(0, -1), path[path.length - 1]);
    const inner = issue.issues.map((i) => i.message).join('; ');
    return [`${where(keyNode?.range?.[0] ?? closestAncestor(doc, path)?.range?.[0])}: ${formatPath(path)}: invalid name: ${inner}`];
  }
  const node = nodeAt(doc, path);
  const atPair = findKeyNode(doc, path.slice(0, -1), path[path.length - 1]);
  const offset = node?.range?.[0] ?? atPair?.range?.[0] ?? closestAncestor(doc, path)?.range?.[0];
  return [`${where(offset)}: ${formatPath(path)}: ${issue.message}`];
}


function nodeAt(doc: Document, path: (string | number)[]): Node | undefined {
  if (path.length === 0) return (doc.contents as Node | null) ?? undefined;
  const n = doc.getIn(path, true);
  return n && typeof n === 'object' && 'range' in (n as object) ? (n as Node) : undefined;
}

function closestAncestor(doc: Document, path: (string | number)[]): Node | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const n = nodeAt(doc, path.slice(0, i));
    if (n) return n;
  }
  return undefined;
}

function findKeyNode(doc: Document, parentPath: (string | number)[], key: string | number | undefined): Node | undefined {
  if (key === undefined) return undefined;
  const parent = nodeAt(doc, parentPath);
  if (!isMap(parent)) return undefined;
  for (const pair of parent.items) if (isScalar(pair.key) && String(pair.key.value) === String(key)) return pair.key;
  return undefined;
}

function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** One line describing a valid config, for `check`. */
export function summarizeConfig(c: Config): string {
  const enabled = Object.entries(c.sampling.collectors).filter(([, on]) => on).length;
  return `sampling every ${c.sampling.interval / 1000}s with ${enabled} collectors, ${c.rules.length} rules, ${Object.keys(c.channels).length} channels, ${c.services.length} services${c.services_file ? ` (${c.services.filter((s) => s.file !== undefined).length} from ${c.services_file})` : ''}, ${c.heartbeats.length} heartbeats`;
}
