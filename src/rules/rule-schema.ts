/**
 * The schema of one alert rule (`rules:` in the config) and its types. Owned by rules/, the producer of alerts;
 * config/schema.ts composes it into the config file's schema (config -> rules, never rules -> config).
 */
import { z } from 'zod';
import { validateMatchers } from './matchers.ts';
import { durationMs } from '../lib/duration.ts';
import { MAX_LABEL_NAME_LENGTH, MAX_MATCHER_VALUE_LENGTH } from '../lib/safe-regex.ts';

export const OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Op = (typeof OPS)[number];

/** match: { label: "value" } for equality, { label: "=~regex" } or "!=value" / "!~regex" for the others. */
const matcherValue = z.string().max(MAX_MATCHER_VALUE_LENGTH + 2, `a matcher value is at most ${MAX_MATCHER_VALUE_LENGTH} characters`); // + the operator (=~, !=, !~)

const thresholdValue = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?\s*%$/, 'must be a number or a percentage like "90%"')]);

export const ruleSchema = z
  .strictObject({
    alert: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a valid Prometheus alert name ([a-zA-Z_][a-zA-Z0-9_]*)'),
    metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a valid metric name'),
    match: z.record(z.string().max(MAX_LABEL_NAME_LENGTH), matcherValue).default({}),
    op: z.enum(OPS),
    threshold: thresholdValue,
    clear: thresholdValue.optional(),
    for: durationMs.default(0),
    keep_firing_for: durationMs.default(0),
    severity: z.enum(['info', 'warning', 'critical']).default('warning'),
    labels: z.record(z.string(), z.string()).default({}),
    summary: z.string().optional(),
    description: z.string().optional(),
    channels: z.array(z.string()).optional(),
  })
  .superRefine((r, ctx) => {
    for (const e of validateMatchers(r.match)) {
      const [, label] = /^match\.([^:]+):/.exec(e) ?? [];
      ctx.addIssue({ code: 'custom', path: label ? ['match', label] : ['match'], message: e.replace(/^match\.[^:]+: /, '') });
    }
  })
  .transform((r, ctx) => {
    const pct = (v: number | string, field: 'threshold' | 'clear'): number => {
      if (typeof v === 'number') return v;
      if (!r.metric.endsWith('_ratio')) {
        ctx.addIssue({ code: 'custom', path: [field], message: `a percentage is only accepted for *_ratio metrics; ${r.metric} needs a plain number` });
        return NaN;
      }
      return Number(v.replace('%', '').trim()) / 100;
    };
    const threshold = pct(r.threshold, 'threshold');
    const clear = r.clear === undefined ? undefined : pct(r.clear, 'clear');
    if (clear !== undefined && Number.isFinite(threshold) && Number.isFinite(clear)) {
      const above = r.op === '>' || r.op === '>=';
      const below = r.op === '<' || r.op === '<=';
      if ((above && clear > threshold) || (below && clear < threshold) || (!above && !below))
        ctx.addIssue({
          code: 'custom',
          path: ['clear'],
          message: above || below ? `clear must be on the resolved side of the threshold (${above ? '<=' : '>='} ${threshold})` : 'clear only applies to <, <=, >, >=',
        });
    }
    return { ...r, threshold, clear };
  });
export type RuleConfig = z.infer<typeof ruleSchema>;
