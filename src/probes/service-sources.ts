/**
 * The set of service sources across start and hot reloads: one owner for the shared parts (ProbeStates, the
 * Limiter, the AgentPool) and a diff of service definitions into sources to add and to remove. A service whose
 * definition did not change keeps its source object (its schedule runs on); a changed one gets a new source but
 * keeps its state (consecutive failures, open incident, last version) because state is keyed by id; a removed or
 * disabled one loses its source, its state and its keep-alive agent.
 */
import type { ScheduledSource } from '../sources/source.ts';
import type { Logger } from '../lib/logger.ts';
import { ProbeStates, type Transition } from './incident.ts';
import { Limiter } from './limiter.ts';
import { AgentPool } from './probe.ts';
import { createServiceSource } from './source.ts';
import type { ProbeResult, ServiceDefinition } from './types.ts';

export interface ServiceSourcesDeps {
  now(): number;
  logger: Logger;
  onResult(r: ProbeResult, transitions: readonly Transition[]): void;
  /** probes in flight at most (default 64) */
  concurrency?: number;
  /** options for every keep-alive agent (e.g. `ca`) */
  agentOptions?: ConstructorParameters<typeof AgentPool>[0];
}

export interface SourcesChange {
  /** new sources to schedule (new services and changed ones) */
  added: ScheduledSource[];
  /** names of sources to stop (removed, disabled and changed services) */
  removed: string[];
  /** every service source now active */
  all: ScheduledSource[];
}

export class ServiceSources {
  readonly states = new ProbeStates();
  readonly limiter: Limiter;
  readonly agents: AgentPool;
  #deps: ServiceSourcesDeps;
  #active = new Map<string, { key: string; def: ServiceDefinition; source: ScheduledSource }>();

  constructor(deps: ServiceSourcesDeps) {
    this.#deps = deps;
    this.limiter = new Limiter(deps.concurrency);
    this.agents = new AgentPool(deps.agentOptions);
  }

  /** Makes the enabled services of `defs` the active ones; returns what the scheduler must add and stop. */
  apply(defs: readonly ServiceDefinition[]): SourcesChange {
    const next = new Map<string, ServiceDefinition>();
    for (const d of defs) if (d.enabled && !next.has(d.id)) next.set(d.id, d);
    const added: ScheduledSource[] = [];
    const removed: string[] = [];
    for (const [id, cur] of this.#active) {
      const d = next.get(id);
      if (d === undefined || definitionKey(d) !== cur.key) {
        removed.push(cur.source.name);
        this.#active.delete(id);
      }
    }
    for (const [id, def] of next) {
      if (this.#active.has(id)) continue;
      const source = createServiceSource(def, {
        states: this.states,
        limiter: this.limiter,
        agents: this.agents,
        now: this.#deps.now,
        logger: this.#deps.logger,
        onResult: this.#deps.onResult,
      });
      this.#active.set(id, { key: definitionKey(def), def, source });
      added.push(source);
    }
    // disabled services keep their state (streak, open incident, last version): enabling one goes on from there
    this.states.retain(defs.map((d) => d.id));
    this.agents.retain([...next.values()].map((d) => d.url));
    return { added, removed, all: [...this.#active.values()].map((a) => a.source) };
  }

  /** every service source now active */
  all(): ScheduledSource[] {
    return [...this.#active.values()].map((a) => a.source);
  }

  definitions(): ServiceDefinition[] {
    return [...this.#active.values()].map((a) => a.def);
  }

  close(): void {
    this.#active.clear();
    this.agents.close();
  }
}

/** Everything that changes how a service is probed or shown. */
function definitionKey(d: ServiceDefinition): string {
  return JSON.stringify([d.name, d.url, d.expectedVersion, d.environment, d.intervalMs, d.timeoutMs, d.method, d.headers, d.expectedStatus, d.followRedirects, d.degradedLatencyMs, d.failureThreshold, d.successThreshold, d.version]);
}
