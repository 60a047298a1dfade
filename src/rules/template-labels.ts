/**
 * Templates that cannot silently render empty: a `{{ labels.NAME }}` in a rule's summary or description whose
 * metric never carries NAME renders as "" on every alert (as in Prometheus). Present are the metric's own labels
 * (from its spec), the rule's `labels`, the external labels (instance always) and alertname/severity. Metrics
 * whose labels are not known ahead (pushed by a service) are not checked.
 */
import type { RuleConfig } from './rule-schema.ts';
import { parseTemplate } from './templates.ts';

export interface TemplateLabelWarning {
  /** path of the template in the config, e.g. ["rules", 0, "summary"] */
  path: (string | number)[];
  message: string;
}

export function templateLabelWarnings(
  rules: readonly RuleConfig[],
  metricLabels: Readonly<Record<string, readonly string[]>>,
  externalLabelNames: readonly string[],
): TemplateLabelWarning[] {
  const external = [...new Set(['instance', ...externalLabelNames])];
  const out: TemplateLabelWarning[] = [];
  rules.forEach((rule, i) => {
    const own = metricLabels[rule.metric];
    if (own === undefined) return;
    const present = new Set([...own, ...Object.keys(rule.labels), ...external, 'alertname', 'severity']);
    for (const field of ['summary', 'description'] as const) {
      const text = rule[field];
      if (text === undefined) continue;
      const missing = new Set<string>();
      for (const part of parseTemplate(text)) {
        if (part.type === 'placeholder' && part.placeholder.kind === 'label' && !present.has(part.placeholder.name)) missing.add(part.placeholder.name);
      }
      for (const name of missing) {
        const has = [
          `${rule.metric} has ${own.length ? own.join(', ') : 'no labels'}`,
          `external labels: ${external.join(', ')}`,
          ...(Object.keys(rule.labels).length ? [`rule labels: ${Object.keys(rule.labels).join(', ')}`] : []),
        ];
        out.push({ path: ['rules', i, field], message: `{{ labels.${name} }} always renders empty: ${rule.metric} never has a "${name}" label (${has.join('; ')})` });
      }
    }
  });
  return out;
}
