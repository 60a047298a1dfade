/**
 * Where a service says which version it runs. Default: the JSON body's top-level `version` (numbers become strings,
 * null means none), then the `X-Service-Version` header (any case). Or one locator: `{ json_path: "a.b.c" }`,
 * `{ header: "X-Build" }`, `{ regex: "v(\\d+\\.\\d+\\.\\d+)" }` (the first capture group, searched in the body).
 *
 * A user-supplied regular expression must run in bounded time (DESIGN rule 4): the pattern is at most
 * MAX_PATTERN_LENGTH characters, patterns with a quantified group that itself holds a quantifier (`(a+)+`, the
 * classic catastrophic backtracking shape) or backreferences are refused at config time, the text searched is
 * capped at MAX_REGEX_INPUT characters, and the match runs in a `vm` context with a hard timeout
 * (REGEX_TIMEOUT_MS), which interrupts V8's backtracking should a pattern slip past the static check.
 */
import { Script, createContext } from 'node:vm';
import type { VersionLocator } from './types.ts';

export const MAX_PATTERN_LENGTH = 200;
export const MAX_REGEX_INPUT = 16 * 1024;
export const REGEX_TIMEOUT_MS = 20;
/** A version longer than this is cut (it becomes a label value). */
export const MAX_VERSION_LENGTH = 64;
export const DEFAULT_VERSION_HEADER = 'x-service-version';

/** Why a version pattern is refused, or undefined when it is acceptable. */
export function versionPatternError(src: string): string | undefined {
  if (src.length > MAX_PATTERN_LENGTH) return `pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  let re: RegExp;
  try {
    re = new RegExp(src);
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message}`;
  }
  if (new RegExp(`${re.source}|`).exec('')!.length < 2) return 'the pattern needs one capture group: the version, e.g. "v(\\d+\\.\\d+\\.\\d+)"';
  if (/\\[1-9]|\\k</.test(src)) return 'backreferences are not allowed in version patterns (their matching time is unbounded)';
  if (hasNestedQuantifier(src)) return 'nested quantifiers like (a+)+ are not allowed in version patterns (catastrophic backtracking)';
  return undefined;
}

/**
 * True when a group containing an unbounded quantifier (* + {n,}) is itself quantified. A conservative scan:
 * escapes and character classes are skipped; `?` and `{n}`/`{n,m}` on the inner part count as bounded.
 */
export function hasNestedQuantifier(src: string): boolean {
  const stack: boolean[] = []; // per open group: holds an unbounded quantifier
  let inner = false; // the group just closed held one
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      i++;
      inner = false;
      continue;
    }
    if (c === '[') {
      for (i++; i < src.length && src[i] !== ']'; i++) if (src[i] === '\\') i++;
      inner = false;
      continue;
    }
    if (c === '(') {
      stack.push(false);
      inner = false;
      continue;
    }
    if (c === ')') {
      inner = stack.pop() ?? false;
      if (inner && stack.length > 0) stack[stack.length - 1] = true;
      // any repeat (* + {n,m}) of a group that holds an unbounded quantifier multiplies the backtracking
      const next = src[i + 1];
      if (inner && (next === '*' || next === '+' || (next === '{' && /^\{\d+(,\d*)?\}/.test(src.slice(i + 1))))) return true;
      continue;
    }
    const unbounded = c === '*' || c === '+' || (c === '{' && /^\{\d+,\}/.test(src.slice(i)));
    if (unbounded && stack.length > 0) stack[stack.length - 1] = true;
    inner = false;
  }
  return false;
}

const regexContext = createContext(Object.create(null) as object);
const regexScript = new Script('globalThis.m = globalThis.re.exec(globalThis.s)');

/** First capture group of `pattern` in `text`, bounded; null on no match, an empty group or a timeout. */
export function matchVersionPattern(pattern: RegExp, text: string): string | null {
  const ctx = regexContext as { re?: RegExp; s?: string; m?: RegExpExecArray | null };
  ctx.re = pattern;
  ctx.s = text.length > MAX_REGEX_INPUT ? text.slice(0, MAX_REGEX_INPUT) : text;
  ctx.m = null;
  try {
    regexScript.runInContext(regexContext, { timeout: REGEX_TIMEOUT_MS });
    return clean(ctx.m?.[1]);
  } catch {
    return null;
  } finally {
    ctx.re = undefined;
    ctx.s = undefined;
    ctx.m = undefined;
  }
}

/** Compiled patterns, keyed by source (a reload with the same pattern reuses it). */
const compiled = new Map<string, RegExp>();
function compile(src: string): RegExp | undefined {
  let re = compiled.get(src);
  if (re === undefined) {
    if (versionPatternError(src) !== undefined) return undefined;
    if (compiled.size > 1000) compiled.clear();
    compiled.set(src, (re = new RegExp(src)));
  }
  return re;
}

export interface VersionSource {
  /** the body as read (bounded by the prober), undefined when there was none */
  body: string | undefined;
  /** response headers, lower-case names (node:http's IncomingMessage.headers) */
  headers: Record<string, string | string[] | undefined>;
}

/** The version a response reports, or null. Never throws. */
export function extractVersion(locator: VersionLocator | undefined, res: VersionSource): string | null {
  if (locator === undefined) return fromJson(res.body, ['version']) ?? fromHeader(res.headers, DEFAULT_VERSION_HEADER);
  if ('json_path' in locator) return fromJson(res.body, splitPath(locator.json_path));
  if ('header' in locator) return fromHeader(res.headers, locator.header);
  const re = compile(locator.regex);
  return re === undefined || res.body === undefined ? null : matchVersionPattern(re, res.body);
}

/** "a.b.c", "$.a.b", "items[0].version", "items.0.version" → path segments. */
export function splitPath(path: string): string[] {
  return path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '');
}

function fromJson(body: string | undefined, path: readonly string[]): string | null {
  if (body === undefined) return null;
  const t = body.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return null;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return null;
  }
  for (const key of path) {
    if (v === null || typeof v !== 'object') return null;
    v = Array.isArray(v) ? (/^\d+$/.test(key) ? v[Number(key)] : undefined) : Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
  }
  if (typeof v === 'string') return clean(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function fromHeader(headers: VersionSource['headers'], name: string): string | null {
  const v = headers[name.toLowerCase()];
  return clean(Array.isArray(v) ? v[0] : v);
}

function clean(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === '') return null;
  return t.length > MAX_VERSION_LENGTH ? t.slice(0, MAX_VERSION_LENGTH) : t;
}
