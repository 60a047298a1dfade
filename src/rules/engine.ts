/**
 * The rule engine: alerts.yaml threshold rules evaluated over each snapshot's readings.
 *
 * One alert instance per rule and per matching series (its label set after `match`). Each instance moves
 *   inactive → pending (condition holds, `for` not yet elapsed) → firing → resolved (back to inactive)
 * with the same semantics as a Prometheus alerting rule, so an exported rule fires at the same evaluations:
 * - condition: `value op threshold`. Once firing and with `clear` set, the alert holds while `value op clear`,
 *   i.e. it resolves when NOT (value op clear): op ">" threshold 0.9 clear 0.8 resolves when value <= 0.8.
 * - a pending alert whose condition stops holding (or whose series disappears) returns to inactive silently.
 * - a firing alert whose condition stops holding or whose series disappears keeps firing until that has been so
 *   continuously for `keep_firing_for` (0: it resolves at that evaluation).
 * - events: 'firing' on the transition to firing (startsAt = firing time), 'resolved' on resolution
 *   (endsAt = clock.now()). Labels: series labels + rule labels + {alertname, severity}. Value and annotations
 *   are updated at every evaluation where the condition holds; while a firing alert is only kept firing
 *   (keep_firing_for) they stay as they were when it last held, like Prometheus. A 'resolved' event carries the
 *   latest observed value (the last known one if the series disappeared) and the annotations rendered when the
 *   condition last held.
 *
 * Hot reload (`replaceRules`): a rule keeps the states of its alerts when its *condition and identity* are
 * unchanged: alert, metric, match, op, threshold, clear, for, keep_firing_for, severity and labels compare equal
 * (canonical comparison: keys sorted, numbers by value, undefined keys ignored). Changes to summary, description
 * or channels only re-render annotations and keep state (no duplicate 'firing' after editing a text). A rule
 * that is removed or whose condition/identity changed drops its states and its firing alerts are resolved
 * (the returned events); if the new rule still holds, it fires afresh at the next evaluation. Added rules start
 * empty. Invalid input (duplicate alert name, bad regex) throws before anything changes.
 *
 * Restart (`exportState` / `importState` / `RuleEngine.restore`): states are plain JSON carrying a hash of the
 * rule's condition. Restored alerts keep their state, so an alert that was firing and still holds emits nothing
 * new; one that stopped holding while we were down resolves at the next evaluation (after keep_firing_for).
 * States of rules that no longer exist or changed are dropped on import, firing ones returned as 'resolved'.
 */
import { createHash } from 'node:crypto';
import type { Op, RuleConfig } from './rule-schema.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { Clock } from '../lib/clock.ts';
import type { ActiveAlert, AlertEvent, AlertInstance, AlertStateName, PersistedAlert } from './alert.ts';
import type { Reading } from '../snapshot/snapshot.ts';
import { alertFingerprint } from './fingerprint.ts';
import { compileMatchers, type LabelPredicate } from './matchers.ts';
import { defaultSummary, renderTemplate } from './templates.ts';
import { neverDue, type Pacer } from '../lib/slice.ts';

export type { ActiveAlert, AlertStateName, PersistedAlert } from './alert.ts';

export interface RuleEngineOptions {
  rules: RuleConfig[];
  clock: Clock;
  /**
   * Labels added to every alert (src/rules/external-labels.ts), under the series' and the rule's own labels. They
   * are part of each alert's identity: the same host name gives the same fingerprints after a restart, and a
   * changed set makes every rule count as changed (its firing alerts resolve and fire afresh with the new labels).
   */
  externalLabels?: Readonly<Record<string, string>>;
}

type Instance = AlertInstance;

interface CompiledRule {
  rule: RuleConfig;
  hash: string;
  matches: LabelPredicate;
  instances: Map<string, Instance>;
}

export function compare(value: number, op: Op, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/** Hash of everything that decides whether and for which label sets a rule fires (external labels included). */
export function ruleConditionHash(r: RuleConfig, externalLabels: Readonly<Record<string, string>> = {}): string {
  const identity = {
    alert: r.alert, metric: r.metric, match: r.match, op: r.op, threshold: r.threshold, clear: r.clear,
    for: r.for, keep_firing_for: r.keep_firing_for, severity: r.severity, labels: r.labels,
    ...(Object.keys(externalLabels).length ? { external: externalLabels } : {}),
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}

/** External labels + series labels + rule labels + {alertname, severity}; later ones win, as in Prometheus. */
export function alertLabels(rule: RuleConfig, seriesLabels: Record<string, string>, externalLabels: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...externalLabels, ...seriesLabels, ...rule.labels, alertname: rule.alert, severity: rule.severity };
}

function compileRules(rules: RuleConfig[], externalLabels: Readonly<Record<string, string>> = {}): CompiledRule[] {
  const seen = new Set<string>();
  return rules.map((rule) => {
    if (seen.has(rule.alert)) throw new Error(`duplicate alert name "${rule.alert}"`);
    seen.add(rule.alert);
    let matches: LabelPredicate;
    try {
      matches = compileMatchers(rule.match);
    } catch (err) {
      throw new Error(`rule ${rule.alert}: invalid match: ${(err as Error).message}`);
    }
    return { rule, hash: ruleConditionHash(rule, externalLabels), matches, instances: new Map() };
  });
}

function render(rule: RuleConfig, inst: Instance): Record<string, string> {
  const ctx = { value: inst.value, threshold: rule.threshold, labels: inst.labels, alert: rule.alert, severity: rule.severity, metric: rule.metric };
  const out: Record<string, string> = {
    summary: rule.summary === undefined ? defaultSummary(rule, inst.seriesLabels, inst.value) : renderTemplate(rule.summary, ctx),
  };
  if (rule.description !== undefined) out.description = renderTemplate(rule.description, ctx);
  return out;
}

/** The parts of a persisted alert that matter after a restart, as one comparable string (value and texts follow the next sample). */
export function stateShape(s: Pick<PersistedAlert, 'ruleHash' | 'state' | 'activeSince' | 'firingSince' | 'keepFiringSince'>): string {
  return `${s.ruleHash}|${s.state}|${s.activeSince}|${s.firingSince ?? ''}|${s.keepFiringSince ?? ''}`;
}

/** Throws what `replaceRules` would throw for these rules (duplicate alert name, bad match), changing nothing. */
export function validateRules(rules: RuleConfig[]): void {
  compileRules(rules);
}

export class RuleEngine {
  readonly #clock: Clock;
  #rules: CompiledRule[];
  #external: Readonly<Record<string, string>>;

  constructor(opts: RuleEngineOptions) {
    this.#clock = opts.clock;
    this.#external = { ...opts.externalLabels };
    this.#rules = compileRules(opts.rules, this.#external);
  }

  /** The labels added to every alert. */
  externalLabels(): Record<string, string> {
    return { ...this.#external };
  }

  /** A new engine holding previously exported states (see importState). */
  static restore(opts: RuleEngineOptions, states: readonly PersistedAlert[]): RuleEngine {
    const engine = new RuleEngine(opts);
    engine.importState(states);
    return engine;
  }

  /**
   * Evaluates every rule against one snapshot's readings; returns the state changes worth notifying.
   * Rules on a metric in `unavailable` (its collector failed this cycle) are skipped: their alerts keep their state
   * rather than resolving because a sample is missing. Paced one series at a time (src/lib/slice.ts): with
   * thousands of series the serving thread gets a turn when a slice is spent; with `neverDue` it runs in one go.
   * Rules must not be replaced while it runs (the caller serialises evaluations and reloads).
   */
  async evaluate(readings: readonly Reading[], unavailable?: ReadonlySet<string>, pacer: Pacer = neverDue): Promise<AlertEvent[]> {
    const now = this.#clock.now();
    const byMetric = new Map<string, Reading[]>();
    for (const r of readings) {
      const list = byMetric.get(r.metric);
      if (list) list.push(r);
      else byMetric.set(r.metric, [r]);
    }
    const events: AlertEvent[] = [];
    for (const c of this.#rules) {
      const { rule, instances } = c;
      if (unavailable?.has(rule.metric)) continue;
      const seen = new Set<string>();
      for (const reading of byMetric.get(rule.metric) ?? []) {
        if (pacer.due()) await pacer.yield();
        if (!c.matches(reading.labels)) continue;
        const labels = alertLabels(rule, reading.labels, this.#external);
        const fp = alertFingerprint(rule.alert, labels);
        if (seen.has(fp)) continue; // two series collapsing onto one label set: the first wins
        seen.add(fp);
        let inst = instances.get(fp);
        const holds =
          inst?.state === 'firing' && rule.clear !== undefined ? compare(reading.value, rule.op, rule.clear) : compare(reading.value, rule.op, rule.threshold);
        if (!inst) {
          if (!holds) continue;
          inst = { fingerprint: fp, state: 'pending', labels, seriesLabels: reading.labels, annotations: {}, value: reading.value, activeSince: now };
          instances.set(fp, inst);
        }
        if (holds) {
          inst.value = reading.value;
          inst.seriesLabels = reading.labels;
          inst.annotations = render(rule, inst);
          delete inst.keepFiringSince;
          if (inst.state === 'pending' && now - inst.activeSince >= rule.for) {
            inst.state = 'firing';
            inst.firingSince = now;
            events.push(this.#event('firing', c, inst));
          }
        } else if (inst.state === 'pending') {
          instances.delete(fp);
        } else {
          this.#notHolding(c, inst, now, events, reading);
        }
      }
      for (const inst of [...instances.values()]) {
        if (seen.has(inst.fingerprint)) continue;
        if (inst.state === 'pending') instances.delete(inst.fingerprint);
        else this.#notHolding(c, inst, now, events);
      }
      if (pacer.due()) await pacer.yield();
    }
    return events;
  }

  /** Firing but not holding: keep firing (value and annotations frozen, as Prometheus does) or resolve. */
  #notHolding(c: CompiledRule, inst: Instance, now: number, events: AlertEvent[], reading?: Reading): void {
    inst.keepFiringSince ??= now;
    if (now - inst.keepFiringSince >= c.rule.keep_firing_for) {
      c.instances.delete(inst.fingerprint);
      // the latest value travels with the notice; summary and description stay as they were rendered when the
      // condition last held (as Prometheus sends them), so "backup missed 3 intervals" does not resolve as "missed 0"
      if (reading) inst.value = reading.value;
      events.push(this.#event('resolved', c, inst, now));
    }
  }

  #event(kind: AlertEvent['kind'], c: CompiledRule, inst: Instance, endsAt?: number): AlertEvent {
    const ev: AlertEvent = {
      kind,
      alert: c.rule.alert,
      fingerprint: inst.fingerprint,
      severity: c.rule.severity,
      labels: { ...inst.labels },
      annotations: { ...inst.annotations },
      value: inst.value,
      threshold: c.rule.threshold,
      metric: c.rule.metric,
      startsAt: inst.firingSince ?? inst.activeSince,
      summary: inst.annotations.summary ?? '',
    };
    if (endsAt !== undefined) ev.endsAt = endsAt;
    return ev;
  }

  /** Pending and firing alerts, ordered by rule then label set. */
  active(): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const { rule, instances } of this.#rules) {
      const list = [...instances.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
      for (const inst of list) {
        const a: ActiveAlert = {
          state: inst.state,
          fingerprint: inst.fingerprint,
          alert: rule.alert,
          severity: rule.severity,
          labels: { ...inst.labels },
          annotations: { ...inst.annotations },
          summary: inst.annotations.summary ?? '',
          value: inst.value,
          threshold: rule.threshold,
          activeSince: inst.activeSince,
          channels: rule.channels ? [...rule.channels] : undefined,
        };
        if (inst.firingSince !== undefined) a.firingSince = inst.firingSince;
        if (inst.keepFiringSince !== undefined) a.keepFiringSince = inst.keepFiringSince;
        out.push(a);
      }
    }
    return out;
  }

  firing(): ActiveAlert[] {
    return this.active().filter((a) => a.state === 'firing');
  }

  /** The rules currently evaluated. */
  rules(): RuleConfig[] {
    return this.#rules.map((c) => c.rule);
  }

  /**
   * Hot reload; see the file header. Returns 'resolved' events for firing alerts of removed or changed rules.
   * New external labels (when given) change every rule's identity: all firing alerts resolve, then fire afresh.
   */
  replaceRules(rules: RuleConfig[], externalLabels: Readonly<Record<string, string>> = this.#external): AlertEvent[] {
    const next = compileRules(rules, externalLabels); // throws before anything changes
    this.#external = { ...externalLabels };
    const now = this.#clock.now();
    const byName = new Map(next.map((c) => [c.rule.alert, c]));
    const events: AlertEvent[] = [];
    for (const old of this.#rules) {
      const successor = byName.get(old.rule.alert);
      if (successor && successor.hash === old.hash) {
        successor.instances = old.instances;
        for (const inst of successor.instances.values()) inst.annotations = render(successor.rule, inst);
        continue;
      }
      for (const inst of old.instances.values()) if (inst.state === 'firing') events.push(this.#event('resolved', old, inst, now));
    }
    this.#rules = next;
    return events;
  }

  /**
   * Each alert's fingerprint with the parts of its state that a restart needs (rule hash, state, since-times) as
   * one string, without copying labels or annotations: callers compare it to what they saved and export only the
   * alerts that changed (exportOne).
   */
  *stateShapes(): Generator<{ fingerprint: string; shape: string }> {
    for (const c of this.#rules) {
      for (const inst of c.instances.values()) {
        yield { fingerprint: inst.fingerprint, shape: stateShape({ ruleHash: c.hash, ...inst }) };
      }
    }
  }

  /** One alert's state as exportState gives it, or undefined if there is no such alert. */
  exportOne(fingerprint: string): PersistedAlert | undefined {
    for (const c of this.#rules) {
      const inst = c.instances.get(fingerprint);
      if (inst) return { alert: c.rule.alert, ruleHash: c.hash, ...inst, labels: { ...inst.labels }, seriesLabels: { ...inst.seriesLabels }, annotations: { ...inst.annotations } };
    }
    return undefined;
  }

  /** How many alerts per rule, severity and state (prodpulse_alerts), without listing them. */
  counts(): { alertname: string; severity: string; state: AlertStateName; n: number }[] {
    const out: { alertname: string; severity: string; state: AlertStateName; n: number }[] = [];
    for (const { rule, instances } of this.#rules) {
      let pending = 0;
      for (const inst of instances.values()) if (inst.state === 'pending') pending++;
      if (pending) out.push({ alertname: rule.alert, severity: rule.severity, state: 'pending', n: pending });
      if (instances.size - pending) out.push({ alertname: rule.alert, severity: rule.severity, state: 'firing', n: instances.size - pending });
    }
    return out;
  }

  /** All pending and firing states as plain JSON. */
  exportState(): PersistedAlert[] {
    const out: PersistedAlert[] = [];
    for (const c of this.#rules) {
      for (const inst of c.instances.values()) {
        // a copy the caller may keep: the engine replaces (never mutates) label and annotation objects
        out.push({ alert: c.rule.alert, ruleHash: c.hash, ...inst, labels: { ...inst.labels }, seriesLabels: { ...inst.seriesLabels }, annotations: { ...inst.annotations } });
      }
    }
    return out;
  }

  /**
   * Takes over exported states. States of unknown or changed rules are dropped; the firing ones among them are
   * returned as 'resolved' events so nothing is forgotten. Malformed entries are skipped.
   */
  importState(states: readonly PersistedAlert[]): AlertEvent[] {
    const now = this.#clock.now();
    const events: AlertEvent[] = [];
    for (const s of states) {
      if (!isPersistedAlert(s)) continue;
      const c = this.#rules.find((r) => r.rule.alert === s.alert);
      const inst: Instance = {
        fingerprint: s.fingerprint,
        state: s.state,
        labels: { ...s.labels },
        seriesLabels: { ...s.seriesLabels },
        annotations: { ...s.annotations },
        value: s.value ?? NaN,
        activeSince: s.activeSince,
      };
      if (s.firingSince !== undefined) inst.firingSince = s.firingSince;
      if (s.keepFiringSince !== undefined) inst.keepFiringSince = s.keepFiringSince;
      if (c && c.hash === s.ruleHash) {
        if (!c.instances.has(inst.fingerprint)) c.instances.set(inst.fingerprint, inst);
        continue;
      }
      if (inst.state !== 'firing') continue;
      const severity = (['info', 'warning', 'critical'] as const).find((v) => v === s.labels.severity) ?? 'warning';
      events.push({
        kind: 'resolved', alert: s.alert, fingerprint: s.fingerprint, severity, labels: inst.labels, annotations: inst.annotations,
        value: inst.value, threshold: c?.rule.threshold ?? NaN, ...(c ? { metric: c.rule.metric } : {}), startsAt: s.firingSince ?? s.activeSince, endsAt: now, summary: s.annotations.summary ?? '',
      });
    }
    return events;
  }
}

const isRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
const isOptNumber = (v: unknown) => v === undefined || typeof v === 'number';

function isPersistedAlert(s: unknown): s is PersistedAlert {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Record<string, unknown>;
  return (
    typeof o.alert === 'string' && typeof o.ruleHash === 'string' && typeof o.fingerprint === 'string' &&
    (o.state === 'pending' || o.state === 'firing') && isRecord(o.labels) && isRecord(o.seriesLabels) && isRecord(o.annotations) &&
    (typeof o.value === 'number' || o.value === null) && typeof o.activeSince === 'number' && isOptNumber(o.firingSince) && isOptNumber(o.keepFiringSince)
  );
}
