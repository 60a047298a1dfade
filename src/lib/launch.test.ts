import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchPlan } from './launch.ts';

const entry = new URL('file:///app/src/cli/serve-main.ts');
const proc = (execArgv: string[], env: Record<string, string | undefined>) => ({ execPath: '/usr/bin/node', execArgv, argv: ['/usr/bin/node', '/app/src/main.ts', 'serve', '--config', 'a.yaml'], env });

test('the relaunch adds the memory flags, the compile cache and one malloc arena, keeping the arguments', () => {
  const plan = launchPlan(entry, proc([], { PATH: '/bin' }));
  assert.deepEqual(plan.args, ['/usr/bin/node', '--max-semi-space-size=4', '--max-old-space-size=192', '/app/src/cli/serve-main.ts', 'serve', '--config', 'a.yaml']);
  assert.equal(plan.env.MALLOC_ARENA_MAX, '1');
  assert.equal(plan.env.PATH, '/bin');
  assert.match(plan.env.NODE_COMPILE_CACHE!, /node_modules\/\.cache\/prodpulse-compile$/);
});

test('what the user gave wins: flags on the command line or in NODE_OPTIONS, MALLOC_ARENA_MAX, NODE_COMPILE_CACHE', () => {
  const plan = launchPlan(entry, proc(['--max-old-space-size=512'], { NODE_OPTIONS: '--max-semi-space-size=1', MALLOC_ARENA_MAX: '4', NODE_COMPILE_CACHE: '/cache' }));
  assert.deepEqual(plan.args.slice(0, 3), ['/usr/bin/node', '--max-old-space-size=512', '/app/src/cli/serve-main.ts']);
  assert.equal(plan.env.MALLOC_ARENA_MAX, '4');
  assert.equal(plan.env.NODE_COMPILE_CACHE, '/cache');
});

test('one-shot commands get no old-generation cap: analyze holds what its input needs (the first 1 000 000 alerts), which 192 MB cannot', () => {
  for (const command of ['analyze', 'check', 'export-rules', 'test-notify']) {
    const plan = launchPlan(new URL('file:///app/src/cli/main.ts'), { ...proc([], {}), argv: ['/usr/bin/node', '/app/src/main.ts', command, 'x'] });
    assert.ok(!plan.args.some((a) => a.startsWith('--max-old-space-size')), command);
    assert.ok(plan.args.includes('--max-semi-space-size=4'), command);
  }
  for (const command of ['serve', 'demo']) {
    const plan = launchPlan(entry, { ...proc([], {}), argv: ['/usr/bin/node', '/app/src/main.ts', command] });
    assert.ok(plan.args.includes('--max-old-space-size=192'), command);
  }
});
