/**
 * Static files the dashboard and /docs load, all served by this process (no CDN: the page works offline).
 * Read on first request and kept in memory; swagger-ui's 1.7 MB bundle is only read when someone opens /docs.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const here = (name: string) => new URL(`./client/${name}`, import.meta.url).pathname;

const gzipAsync = promisify(gzip);

interface AssetSpec {
  file: () => string;
  type: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** name under /assets/ → where it comes from */
export const ASSETS: Record<string, AssetSpec> = {
  'uplot.min.js': { file: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: JS },
  'uplot.min.css': { file: () => require.resolve('uplot/dist/uPlot.min.css'), type: CSS },
  'dashboard.js': { file: () => here('dashboard.js'), type: JS },
  'dashboard.css': { file: () => here('dashboard.css'), type: CSS },
  'docs.js': { file: () => here('docs.js'), type: JS },
  'swagger-ui-bundle.js': { file: () => require.resolve('swagger-ui-dist/swagger-ui-bundle.js'), type: JS },
  'swagger-ui.css': { file: () => require.resolve('swagger-ui-dist/swagger-ui.css'), type: CSS },
};

export interface LoadedAsset {
  body: Buffer;
  gzipped: Buffer;
  type: string;
}

const cache = new Map<string, Promise<LoadedAsset>>();

/** undefined for a name that is not an asset */
export function loadAsset(name: string): Promise<LoadedAsset> | undefined {
  if (!Object.hasOwn(ASSETS, name)) return undefined;
  let p = cache.get(name);
  if (!p) {
    const spec = ASSETS[name]!;
    p = readFile(spec.file()).then(async (body) => ({ body, gzipped: await gzipAsync(body), type: spec.type }));
    p.catch(() => cache.delete(name));
    cache.set(name, p);
  }
  return p;
}
