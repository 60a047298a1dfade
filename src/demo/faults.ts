/**
 * The demo's fault switchboard: which fault each simulated service and each dependency is in. The pushers and
 * the dependency servers read it at every heartbeat / request; `POST /demo/fault` and the dashboard's Demo panel
 * write it.
 */

/** faults of a simulated service (it pushes heartbeats): DOWN stops its pusher */
export const SERVICE_FAULTS = ['HIGH_CPU', 'HIGH_ERROR_RATE', 'DOWN', 'RECOVER'] as const;
/** faults of a dependency (it is probed): VERSION reports another version, SLOW answers after the degraded latency */
export const DEPENDENCY_FAULTS = ['DOWN', 'VERSION', 'SLOW', 'RECOVER'] as const;
/** RECOVER and NONE both clear a fault; `all` as the target clears (or sets) every target */
export const CLEARING = ['RECOVER', 'NONE'] as const;
export type Fault = (typeof SERVICE_FAULTS)[number] | (typeof DEPENDENCY_FAULTS)[number] | 'NONE';

export interface DemoTarget {
  name: string;
  kind: 'service' | 'dependency';
  /** the faults the panel offers for it */
  faults: readonly string[];
}

export type FaultResult = { ok: true; changed: { target: string; fault: Fault }[] } | { ok: false; error: string };

export class DemoFaults {
  readonly targets: readonly DemoTarget[];
  readonly #current = new Map<string, Fault>();
  readonly #onChange: (target: string, fault: Fault) => void;

  constructor(services: readonly string[], dependencies: readonly string[], onChange: (target: string, fault: Fault) => void = () => undefined) {
    this.targets = [
      ...services.map((name) => ({ name, kind: 'service' as const, faults: SERVICE_FAULTS })),
      ...dependencies.map((name) => ({ name, kind: 'dependency' as const, faults: DEPENDENCY_FAULTS })),
    ];
    this.#onChange = onChange;
  }

  /** the fault a target is in (NONE when healthy) */
  get(target: string): Fault {
    return this.#current.get(target) ?? 'NONE';
  }

  /** every target's fault, for GET /demo/fault and the panel */
  state(): Record<string, Fault> {
    return Object.fromEntries(this.targets.map((t) => [t.name, this.get(t.name)]));
  }

  /** sets a fault; an unknown target or a fault the target does not take is an error naming the choices */
  apply(target: unknown, fault: unknown): FaultResult {
    if (typeof fault !== 'string' || fault === '') return { ok: false, error: 'fault must be a string' };
    const f = fault.toUpperCase();
    if (target === 'all') {
      if (!(CLEARING as readonly string[]).includes(f)) return { ok: false, error: 'target "all" takes RECOVER or NONE only' };
      return { ok: true, changed: this.targets.map((t) => this.#set(t.name, 'NONE')) };
    }
    const t = this.targets.find((x) => x.name === target);
    if (!t) return { ok: false, error: `target must be one of ${[...this.targets.map((x) => x.name), 'all'].join(', ')}` };
    if (!(t.faults as readonly string[]).includes(f) && f !== 'NONE') return { ok: false, error: `fault for ${t.name} (a ${t.kind}) must be one of ${[...t.faults, 'NONE'].join(', ')}` };
    return { ok: true, changed: [this.#set(t.name, (CLEARING as readonly string[]).includes(f) ? 'NONE' : (f as Fault))] };
  }

  #set(target: string, fault: Fault): { target: string; fault: Fault } {
    if (fault === 'NONE') this.#current.delete(target);
    else this.#current.set(target, fault);
    this.#onChange(target, fault);
    return { target, fault };
  }
}
