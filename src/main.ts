#!/usr/bin/env node
// Process entry: every launch path (npm start, `node src/main.ts`, the package's bin, the Docker CMD) comes
// through here, so each gets the same footprint. The compile cache keeps Node from loading its TypeScript
// stripper on later starts (~18 MB, see bench/README.md); it is enabled before anything else is imported.
import module from 'node:module';
import { fileURLToPath } from 'node:url';

if (!process.env.NODE_COMPILE_CACHE) module.enableCompileCache?.(fileURLToPath(new URL('../node_modules/.cache/prodpulse-compile', import.meta.url)));
await import('./cli/main.ts');
