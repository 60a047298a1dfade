#!/usr/bin/env node
// Process entry: re-executes itself as src/cli/main.ts with the compile cache and the young-generation cap (see
// src/lib/launch.ts), so `npm start`, `node src/main.ts`, the bin and the Docker CMD all use the same memory.
import { relaunch } from './lib/launch.ts';

relaunch(new URL('./cli/main.ts', import.meta.url));
await import('./cli/main.ts'); // only where process.execve does not exist
