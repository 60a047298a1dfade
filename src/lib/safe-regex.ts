import { RE2JS } from 're2js';

/**
 * Regular expressions from users (rule `match:`, silences, maintenance windows, config filters) run on RE2
 * (re2js, a pure-JS port): matching is linear in the input, so no pattern can backtrack the serving thread into a
 * wedge (`(.*.*)*!`). RE2 is also what Prometheus and Alertmanager use, so the syntax is theirs: no
 * backreferences or lookaround. Patterns are capped in length.
 */
export const MAX_PATTERN_LENGTH = 1024;
/** longest label name / plain matcher value accepted in rules, silences and maintenance windows */
export const MAX_LABEL_NAME_LENGTH = 256;
export const MAX_MATCHER_VALUE_LENGTH = 1024;
/** most matchers in one silence or maintenance window */
export const MAX_MATCHERS = 32;

export class PatternError extends SyntaxError {
  override name = 'PatternError';
}

/** Throws a PatternError with a readable message when `source` is too long or not valid RE2 syntax. */
function compileRe2(source: string): RE2JS {
  if (source.length > MAX_PATTERN_LENGTH) throw new PatternError(`pattern is ${source.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`);
  try {
    return RE2JS.compile(source);
  } catch (err) {
    throw new PatternError(`${(err as Error).message.replace(/^error parsing regexp: /, '')} (RE2 syntax, as in Prometheus)`);
  }
}

/** A whole-value matcher (Prometheus/Alertmanager anchoring: `^(?:re)$`) in linear time. */
export interface AnchoredPattern {
  readonly source: string;
  test(value: string): boolean;
}

export function anchoredPattern(source: string): AnchoredPattern {
  const re = compileRe2(source);
  return { source, test: (v) => re.matches(v) };
}

/** The message of a pattern that cannot be used, or undefined when it compiles. */
export function patternProblem(source: string): string | undefined {
  try {
    compileRe2(source);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * A RegExp whose `test` runs on RE2 (unanchored search, like RegExp.prototype.test), for config filters that
 * code elsewhere treats as RegExp (source, flags, instanceof). Only `test` is linear-time; use nothing else on it.
 */
export class SafeRegExp extends RegExp {
  readonly #re2: RE2JS;
  constructor(source: string) {
    const re2 = compileRe2(source);
    super(source);
    this.#re2 = re2;
  }
  override test(s: string): boolean {
    return this.#re2.matcher(s).find();
  }
  static get [Symbol.species]() {
    return RegExp;
  }
}
