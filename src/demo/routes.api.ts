import { z } from 'zod';
import { errorSchema, type ApiOperation } from '../http/openapi/registry.ts';
import { DEPENDENCY_FAULTS, SERVICE_FAULTS } from './faults.ts';

const FAULTS = [...new Set([...SERVICE_FAULTS, ...DEPENDENCY_FAULTS, 'NONE'])] as [string, ...string[]];
const faultState = z.record(z.string(), z.enum(FAULTS)).describe('target → its fault (NONE when healthy)');

/** The demo's fault endpoint (src/demo/routes.ts); in /openapi.json only when the sidecar runs as `prodpulse demo`. */
export const demoApi: ApiOperation[] = [
  {
    method: 'get',
    path: '/demo/fault',
    operationId: 'demoFaults',
    tag: 'demo',
    summary: 'Demo mode only: every simulated target, the faults it takes and the fault it is in',
    responses: {
      200: {
        description: 'targets and faults',
        schema: z.object({
          faults: faultState,
          targets: z.array(z.object({ name: z.string(), kind: z.enum(['service', 'dependency']), faults: z.array(z.string()) })),
        }),
      },
    },
  },
  {
    method: 'post',
    path: '/demo/fault',
    operationId: 'demoInjectFault',
    tag: 'demo',
    summary: 'Demo mode only: inject a fault (or RECOVER) into a simulated service or dependency',
    description:
      'Services (auth, payment, reporting) take HIGH_CPU, HIGH_ERROR_RATE, DOWN (the service stops pushing heartbeats); dependencies take DOWN (503), VERSION (the next minor version: VERSION DRIFT), SLOW (an answer slower than degraded_latency). ' +
      'RECOVER or NONE clears; target "all" with RECOVER clears every target. JSON bodies only (a cross-site form post is refused with 415).',
    body: { schema: z.object({ target: z.string().describe('auth, payment, reporting, inventory-api, pricing-api or all'), fault: z.string().describe('the fault, case-insensitive') }) },
    responses: {
      200: {
        description: 'what changed and every target\'s fault now',
        schema: z.object({ changed: z.array(z.object({ target: z.string(), fault: z.enum(FAULTS) })), faults: faultState }),
      },
      400: { description: 'unknown target, a fault the target does not take, or a body that is not JSON', schema: errorSchema },
      413: { description: 'body larger than 2 KB', schema: errorSchema },
      415: { description: 'not application/json', schema: errorSchema },
    },
  },
];
