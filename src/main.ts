#!/usr/bin/env node
// Process entry: re-executes itself as src/cli/main.ts with the compile cache and the young-generation cap (see
// src/lib/launch.ts), so `npm start`, `node src/main.ts`, the bin and the Docker CMD all use the same memory.
import { relaunch } from './lib/launch.ts';

// `serve` runs from an entry that imports the sidecar statically (a dynamic import costs RSS); the other
// commands load only what they use
const serve = process.argv[2] === 'serve';
relaunch(new URL(serve ? './cli/serve-main.ts' : './cli/main.ts', import.meta.url));
await import(serve ? './cli/serve-main.ts' : './cli/main.ts'); // only where process.execve does not exist
