// The `serve` entry (src/main.ts re-executes into it). Its imports are static: the sidecar loaded through a
// dynamic import() measured 13 MB more idle RSS (107 vs 94 MB, bench/README.md "RSS by launch path").
import { processIo, runToExit } from './process.ts';
import { serveCommand } from './serve.ts';

runToExit(serveCommand(process.argv.slice(3), processIo()), true);
