/**
 * Services files of the two earlier monitors, accepted unchanged:
 *
 *   {"services": [{"id", "name", "url", "expectedVersion", "environment", "enabled"}]}   (the REST/SQLite monitor)
 *   [{"name", "url", "expected_version", "group"}]                                       (the log-based monitor)
 *
 * In the array format `group` is the environment and the id is derived from the name (serviceIdFromName).
 * Errors read `FILE:LINE:COL: path: message (service "NAME")`, like alerts.yaml's; every bad entry is reported, and a
 * file with any error yields no services (the caller keeps what it had).
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { SERVICE_ID_RE, duplicateIdIssues, httpUrl, resolveIdentity, type ServiceEntry } from './services.ts';

export type ServicesFileResult = { ok: true; format: 'object' | 'array'; services: ServiceEntry[] } | { ok: false; errors: string[] };

/** A services file larger than this is refused (the earlier tools' files are a few kB). */
export const MAX_SERVICES_FILE_BYTES = 4 * 1024 * 1024;

const version = z
  .union([z.string().max(200), z.number()])
  .nullable()
  .optional()
  .transform((v) => (v === undefined || v === null || String(v).trim() === '' ? null : String(v).trim()));
const name = z.string().trim().min(1).max(200);
const environment = z.string().min(1).max(64);

const objectEntry = z
  .strictObject({
    id: z.string().regex(SERVICE_ID_RE, 'ids use letters, digits, _ . - (at most 100, starting with a letter or digit)').optional(),
    name: name.optional(),
    url: httpUrl,
    expectedVersion: version,
    environment: environment.nullable().optional(),
    enabled: z.boolean().default(true),
  })
  .transform((s, ctx) => {
    const who = resolveIdentity(s.id, s.name, ctx);
    return who ? { ...who, url: s.url, expectedVersion: s.expectedVersion, environment: s.environment ?? undefined, enabled: s.enabled } : z.NEVER;
  });

const arrayEntry = z
  .strictObject({
    name,
    url: httpUrl,
    expected_version: version,
    group: environment.nullable().optional(),
  })
  .transform((s, ctx) => {
    const who = resolveIdentity(undefined, s.name, ctx);
    return who ? { ...who, url: s.url, expectedVersion: s.expected_version, environment: s.group ?? undefined, enabled: true } : z.NEVER;
  });

const objectFormat = z.strictObject({ services: z.array(objectEntry) });
const arrayFormat = z.array(arrayEntry);

/** `taken`: ids already in use (id → where), e.g. alerts.yaml's own services; a clash is an error in this file. */
export async function loadServicesFile(file: string, taken?: ReadonlyMap<string, string>): Promise<ServicesFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${file}:1:1: cannot read services file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`] };
  }
  return parseServicesFile(text, file, taken);
}

/** Parses a services file's text; `file` is used in messages and recorded on each entry. */
export function parseServicesFile(text: string, file: string, taken?: ReadonlyMap<string, string>): ServicesFileResult {
  if (text.length > MAX_SERVICES_FILE_BYTES) return { ok: false, errors: [`${file}:1:1: services file is larger than ${MAX_SERVICES_FILE_BYTES} bytes`] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number | undefined): string => {
    const { line, col } = lines.linePos(offset ?? 0);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => `${where(e.pos[0])}: ${e.message.split('\n')[0]}`) };

  const raw: unknown = doc.toJS();
  const isArray = Array.isArray(raw);
  if (!isArray && (raw === null || typeof raw !== 'object' || !('services' in raw))) {
    return { ok: false, errors: [`${where(doc.contents?.range?.[0])}: (root): expected {"services": [ … ]} or a list of services [ … ]`] };
  }
  const listPath: (string | number)[] = isArray ? [] : ['services'];
  const parsed = isArray ? arrayFormat.safeParse(raw) : objectFormat.safeParse(raw);
  const nameAt = (path: (string | number)[]): string | undefined => {
    const i = path[listPath.length];
    if (typeof i !== 'number') return undefined;
    const entry = doc.getIn([...listPath, i]);
    const n = isMap(entry) ? entry.get('name') : undefined;
    return typeof n === 'string' ? n : undefined;
  };
  const describe = (path: (string | number)[], message: string, keyOnly?: string): string => {
    const n = nameAt(path);
    const offset = keyOnly !== undefined ? keyNode(doc, path, keyOnly)?.range?.[0] : undefined;
    const full = keyOnly !== undefined ? [...path, keyOnly] : path;
    return `${where(offset ?? closestNode(doc, full)?.range?.[0])}: ${formatPath(full)}: ${message}${n !== undefined ? ` (service "${n.slice(0, 80)}")` : ''}`;
  };

  if (!parsed.success) {
    const errors = parsed.error.issues.flatMap((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => describe(path, `unknown key "${k}"`, k));
      return [describe(path, issue.message)];
    });
    return { ok: false, errors };
  }

  const entries: ServiceEntry[] = (isArray ? (parsed.data as z.output<typeof arrayFormat>) : (parsed.data as z.output<typeof objectFormat>).services).map((s) => ({
    ...s,
    file,
  }));
  const dups = duplicateIdIssues(entries, taken);
  if (dups.length > 0) {
    return {
      ok: false,
      errors: dups.map((d) => {
        const i = d.path[0] as number;
        const hasId = doc.hasIn([...listPath, i, 'id']);
        return describe([...listPath, i, hasId ? 'id' : 'name'], d.message.replace(/services\[(\d+)\] in [^)]*/, (_m, j: string) => formatPath([...listPath, Number(j)])));
      }),
    };
  }
  return { ok: true, format: isArray ? 'array' : 'object', services: entries };
}

function closestNode(doc: Document, path: (string | number)[]): Node | undefined {
  for (let i = path.length; i >= 0; i--) {
    const n = i === 0 ? doc.contents : doc.getIn(path.slice(0, i), true);
    if (n && typeof n === 'object' && 'range' in n) return n as Node;
  }
  return undefined;
}

function keyNode(doc: Document, parent: (string | number)[], key: string): Node | undefined {
  const map = parent.length === 0 ? doc.contents : doc.getIn(parent, true);
  if (!isMap(map)) return undefined;
  for (const pair of map.items) if (isScalar(pair.key) && String(pair.key.value) === key) return pair.key;
  return undefined;
}

function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
