/**
 * Label matchers of a rule's `match:` block, with Prometheus semantics:
 *   "value"   equality            label="value"
 *   "!=value" not equal           label!="value"
 *   "=~re"    regex, anchored     label=~"re"   (matches the whole value: ^(?:re)$)
 *   "!~re"    negative regex      label!~"re"
 * A label the series does not carry counts as the empty string, as in PromQL.
 */

import { anchoredPattern, type AnchoredPattern } from '../lib/safe-regex.ts';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

export type LabelPredicate = (labels: Record<string, string>) => boolean;

/** Splits a `match:` map into matchers (sorted by label name so output is stable). */
export function parseMatchers(match: Record<string, string>): LabelMatcher[] {
  return Object.keys(match)
    .sort()
    .map((name) => {
      const raw = match[name] ?? '';
      if (raw.startsWith('=~')) return { name, op: '=~', value: raw.slice(2) };
      if (raw.startsWith('!~')) return { name, op: '!~', value: raw.slice(2) };
      if (raw.startsWith('!=')) return { name, op: '!=', value: raw.slice(2) };
      return { name, op: '=', value: raw };
    });
}

/**
 * Anchors a regex the way Prometheus does, on RE2 (linear time: no pattern can wedge the thread; see
 * src/lib/safe-regex.ts). Throws a PatternError for a bad or over-long pattern.
 */
export function anchoredRegex(source: string): AnchoredPattern {
  return anchoredPattern(source);
}

/** Returns one message per invalid matcher (bad regular expression); empty when all compile. */
export function validateMatchers(match: Record<string, string>): string[] {
  const errors: string[] = [];
  for (const m of parseMatchers(match)) {
    if (m.op !== '=~' && m.op !== '!~') continue;
    try {
      anchoredRegex(m.value);
    } catch (err) {
      errors.push(`match.${m.name}: invalid regular expression "${m.value}": ${(err as Error).message}`);
    }
  }
  return errors;
}

/** Compiles a `match:` map into a predicate over a series' labels. Throws on an invalid regex. */
export function compileMatchers(match: Record<string, string>): LabelPredicate {
  const tests = parseMatchers(match).map((m): LabelPredicate => {
    const get = (labels: Record<string, string>) => labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        return (l) => get(l) === m.value;
      case '!=':
        return (l) => get(l) !== m.value;
      case '=~': {
        const re = anchoredRegex(m.value);
        return (l) => re.test(get(l));
      }
      case '!~': {
        const re = anchoredRegex(m.value);
        return (l) => !re.test(get(l));
      }
    }
  });
  return (labels) => tests.every((t) => t(labels));
}
