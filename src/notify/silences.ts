import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../lib/clock.ts';
import type { Db } from '../store/db.ts';
import { anchoredPattern, MAX_LABEL_NAME_LENGTH, MAX_MATCHER_VALUE_LENGTH, MAX_MATCHERS, patternProblem, type AnchoredPattern } from '../lib/safe-regex.ts';
import { createSilenceRepo, type Matcher, type SilenceRow } from '../store/silence-repo.ts';

export type { Matcher } from '../store/silence-repo.ts';

/** A maintenance window from alerts.yaml (config `maintenance[]`): a read-only silence. */
export interface MaintenanceWindow {
  comment: string;
  matchers: Matcher[];
  starts_at: Date;
  ends_at: Date;
}

const inputMatcher = z
  .strictObject({
    name: z.string().min(1).max(MAX_LABEL_NAME_LENGTH, `a label name is at most ${MAX_LABEL_NAME_LENGTH} characters`),
    value: z.string().max(MAX_MATCHER_VALUE_LENGTH, `a matcher value is at most ${MAX_MATCHER_VALUE_LENGTH} characters`),
    isRegex: z.boolean().default(false),
    isEqual: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    if (!m.isRegex) return;
    const problem = patternProblem(m.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: `invalid regular expression: ${problem}` });
  });

const isoDate = z.coerce.date({ error: 'must be an ISO 8601 date-time, e.g. 2026-01-01T12:00:00Z' });

/** API input for POST /silences (Alertmanager v2 field names). The HTTP layer validates with it. */
export const silenceInputSchema = z
  .strictObject({
    matchers: z.array(inputMatcher).min(1).max(MAX_MATCHERS, `at most ${MAX_MATCHERS} matchers`),
    startsAt: isoDate.optional(),
    endsAt: isoDate,
    createdBy: z.string().max(200).optional(),
    comment: z.string().min(1).max(2000),
  })
  .superRefine((s, ctx) => {
    if (s.startsAt !== undefined && !(s.endsAt.getTime() > s.startsAt.getTime()))
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt must be after startsAt' });
    // like Alertmanager: a silence must not match every alert
    if (s.matchers.every((m) => matcherMatches(m, '')))
      ctx.addIssue({ code: 'custom', path: ['matchers'], message: 'at least one matcher must not match the empty string' });
  });
export type SilenceInput = z.output<typeof silenceInputSchema>;

export type SilenceStatus = 'active' | 'pending' | 'expired';

/** A stored silence (or a maintenance window shown as one) with where it comes from and whether it is in force. */
export interface Silence extends Omit<SilenceRow, 'updatedAt'> {
  /** 'config' for maintenance windows from alerts.yaml (read-only) */
  source: 'api' | 'config';
  status: SilenceStatus;
}

/** most API silences that may be active or pending at once (Alertmanager: --silences.max-silences) */
export const MAX_SILENCES = 1000;

export class SilenceError extends Error {
  readonly code: 'not_found' | 'read_only' | 'invalid' | 'limit';
  constructor(code: SilenceError['code'], message: string) {
    super(message);
    this.name = 'SilenceError';
    this.code = code;
  }
}

export interface SilenceService {
  create(input: SilenceInput): Silence;
  /** API silences (newest first) followed by maintenance windows */
  list(): Silence[];
  /** one page of list() */
  page(limit: number, offset: number): { total: number; items: Silence[] };
  get(id: string): Silence | undefined;
  /** ends a silence now; throws SilenceError('not_found' | 'read_only') */
  expire(id: string): Silence;
  /** the first silence or maintenance window muting these labels at `now` (default clock.now()) */
  mutedBy(labels: Record<string, string>, now?: number): Silence | undefined;
  /** a snapshot matcher over the silences active at `now`, for checking many alerts at once */
  matcherAt(now: number): (labels: Record<string, string>) => Silence | undefined;
  setMaintenance(windows: readonly MaintenanceWindow[]): void;
}

const regexCache = new Map<string, AnchoredPattern | null>();
function anchored(src: string): AnchoredPattern | null {
  let re = regexCache.get(src);
  if (re === undefined) {
    try {
      re = anchoredPattern(src);
    } catch {
      re = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(src, re);
  }
  return re;
}

/** Alertmanager semantics: a missing label is the empty string; regexes are fully anchored. */
export function matcherMatches(m: Pick<Matcher, 'value'> & Partial<Matcher>, labelValue: string): boolean {
  let hit: boolean;
  if (m.isRegex) hit = anchored(m.value)?.test(labelValue) ?? false;
  else hit = labelValue === m.value;
  return (m.isEqual ?? true) ? hit : !hit;
}

export function matchesAll(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => matcherMatches(m, labels[m.name] ?? ''));
}

const statusAt = (startsAt: number, endsAt: number, now: number): SilenceStatus =>
  now >= endsAt ? 'expired' : now < startsAt ? 'pending' : 'active';

export function createSilenceService(deps: { db: Db; clock: Clock; maintenance?: readonly MaintenanceWindow[] }): SilenceService {
  const repo = createSilenceRepo(deps.db);
  const clock = deps.clock;
  let maintenance: Array<Omit<Silence, 'status'>> = [];

  const view = (r: SilenceRow, now: number): Silence => ({
    id: r.id,
    matchers: r.matchers,
    startsAt: r.startsAt,
    endsAt: r.endsAt,
    createdBy: r.createdBy,
    comment: r.comment,
    createdAt: r.createdAt,
    source: 'api',
    status: statusAt(r.startsAt, r.endsAt, now),
  });
  const withStatus = (m: Omit<Silence, 'status'>, now: number): Silence => ({ ...m, status: statusAt(m.startsAt, m.endsAt, now) });

  const setMaintenance = (windows: readonly MaintenanceWindow[]) => {
    maintenance = windows.map((w, i) => ({
      id: `maintenance-${i + 1}`,
      matchers: w.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex ?? false, isEqual: m.isEqual ?? true })),
      startsAt: w.starts_at.getTime(),
      endsAt: w.ends_at.getTime(),
      createdBy: 'alerts.yaml',
      comment: w.comment,
      createdAt: w.starts_at.getTime(),
      source: 'config' as const,
    }));
  };
  setMaintenance(deps.maintenance ?? []);

  // silences not yet ended, read once and kept until create/expire changes them (not re-parsed every evaluation)
  let notEnded: SilenceRow[] | undefined;
  let notEndedAt = 0;
  const current = (now: number): SilenceRow[] => {
    if (!notEnded || now < notEndedAt) {
      notEnded = repo.notEnded(now);
      notEndedAt = now;
    }
    return notEnded.filter((r) => r.endsAt > now);
  };
  const changed = () => (notEnded = undefined);

  const matcherAt = (now: number) => {
    const active: Silence[] = [
      ...current(now).filter((r) => r.startsAt <= now).map((r) => view(r, now)),
      ...maintenance.filter((m) => m.startsAt <= now && now < m.endsAt).map((m) => withStatus(m, now)),
    ];
    return (labels: Record<string, string>) => active.find((s) => matchesAll(s.matchers, labels));
  };

  return {
    create(input) {
      const now = clock.now();
      const startsAt = input.startsAt?.getTime() ?? now;
      const endsAt = input.endsAt.getTime();
      if (endsAt <= now) throw new SilenceError('invalid', `endsAt must be in the future (it is ${new Date(endsAt).toISOString()}, now is ${new Date(now).toISOString()})`);
      if (!(endsAt > startsAt)) throw new SilenceError('invalid', 'endsAt must be after startsAt');
      if (current(now).length >= MAX_SILENCES)
        throw new SilenceError('limit', `there are already ${MAX_SILENCES} active or pending silences (the limit); expire some first`);
      const row: SilenceRow = {
        id: randomUUID(),
        matchers: input.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
        startsAt,
        endsAt,
        createdBy: input.createdBy ?? '',
        comment: input.comment,
        createdAt: now,
        updatedAt: now,
      };
      repo.insert(row);
      changed();
      return view(row, now);
    },
    list() {
      const now = clock.now();
      return [...repo.list().map((r) => view(r, now)), ...maintenance.map((m) => withStatus(m, now))];
    },
    page(limit, offset) {
      const now = clock.now();
      const api = repo.list();
      const all = [...api.map((r) => view(r, now)), ...maintenance.map((m) => withStatus(m, now))];
      return { total: all.length, items: all.slice(offset, offset + limit) };
    },
    get(id) {
      const now = clock.now();
      const r = repo.get(id);
      if (r) return view(r, now);
      const m = maintenance.find((x) => x.id === id);
      return m ? withStatus(m, now) : undefined;
    },
    expire(id) {
      const now = clock.now();
      if (maintenance.some((m) => m.id === id)) throw new SilenceError('read_only', `silence ${id} comes from alerts.yaml maintenance and cannot be expired through the API`);
      const r = repo.get(id);
      if (!r) throw new SilenceError('not_found', `silence ${id} not found`);
      repo.expire(id, now);
      changed();
      return view(repo.get(id) ?? r, now);
    },
    mutedBy: (labels, now = clock.now()) => matcherAt(now)(labels),
    matcherAt,
    setMaintenance,
  };
}
