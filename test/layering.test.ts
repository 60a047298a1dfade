/**
 * The folders of src/ depend on each other in one direction: producers below consumers, the wiring (src/wiring/,
 * src/sidecar.ts, src/cli/) on top. A folder-level cycle is how a producer ends up importing its consumer's types,
 * so this test reads every import of src/ (tests and testdata left out) and fails naming the cycle.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testdata' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** The top-level folder of src/ a file belongs to; files directly in src/ are the composition root ("."). */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0]! : '.';
}

/** folder → folder → one importing file (for the message) */
export function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), m[1]!);
      if (!target.startsWith(SRC + sep)) continue;
      const to = folderOf(target);
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, relative(SRC, file));
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Map<string, string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (v: string): string[] | undefined => {
    state.set(v, 'open');
    path.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (state.get(w) === 'open') return [...path.slice(path.indexOf(w)), w];
      if (!state.has(w)) {
        const c = visit(w);
        if (c) return c;
      }
    }
    path.pop();
    state.set(v, 'done');
    return undefined;
  };
  for (const v of graph.keys()) {
    if (state.has(v)) continue;
    const c = visit(v);
    if (c) return c;
  }
  return undefined;
}

test('src/ folders import each other without a cycle', () => {
  const graph = folderGraph();
  assert.ok(graph.size >= 10, `read the imports of ${graph.size} folders`);
  const cycle = findCycle(graph);
  const where = cycle?.slice(1).map((to, i) => `${cycle[i]} → ${to} (${graph.get(cycle[i]!)!.get(to)})`);
  assert.equal(cycle, undefined, `folder cycle: ${where?.join(', ')}`);
});

test('the cycle check finds a cycle when there is one', () => {
  const graph = new Map([
    ['rules', new Map([['lib', 'rules/a.ts']])],
    ['notify', new Map([['rules', 'notify/b.ts']])],
    ['lib', new Map([['notify', 'lib/c.ts']])],
  ]);
  assert.deepEqual(findCycle(graph), ['rules', 'lib', 'notify', 'rules']);
});

test('producers never import their consumers', () => {
  const graph = folderGraph();
  const forbidden: [string, string][] = [
    ['rules', 'notify'], ['store', 'notify'], ['collectors', 'config'], ['snapshot', 'collectors'], ['config', 'sources'],
    ['sources', 'config'], ['lib', 'sidecar'],
  ];
  for (const [from, to] of forbidden) assert.equal(graph.get(from)?.get(to), undefined, `${from}/ imports ${to}/`);
  // the entry points (src/cli/, src/main.ts) and the composition root (src/sidecar.ts, src/alerting.ts) sit on top
  for (const [from, tos] of graph) if (from !== 'cli') assert.ok(!tos.has('.') && !tos.has('cli'), `${from}/ imports the composition root or the CLI (${from === '.' ? 'cli' : tos.get('.')})`);
});
