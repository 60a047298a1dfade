#!/usr/bin/env node
// Process entry only: argv → command. Each command lives in src/cli/.
import { checkCommand, type Io } from './cli/check.ts';
import { serveCommand } from './cli/serve.ts';
import { VERSION } from './lib/version.ts';

const HELP = `prodpulse ${VERSION}: Prometheus exporter and alerting sidecar

Usage: node src/main.ts <command> [options]

Commands:
  serve [--config PATH] [--listen HOST:PORT]   sample the host, serve /metrics, evaluate rules, send alerts
  check [PATH]                                 validate alerts.yaml (FILE:LINE:COL errors; exit 1 when invalid)
  export-rules [PATH] [--out FILE]             write the alerts.yaml rules as a Prometheus alerting-rules file
  test-notify [CHANNEL] [--config PATH]        send a test alert through the real pipeline to one or all channels
  demo [--listen HOST:PORT]                    the sidecar with simulated services, dependencies and fault injection

Options:
  -h, --help       this help
  -v, --version    print the version

Environment:
  PRODPULSE_CONFIG (or CONFIG_FILE_PATH)   config path (default ./alerts.yaml)
  PRODPULSE_LISTEN                         listen address (default 0.0.0.0:9470)
  LOG_LEVEL                                pino level (default info)
`;

async function main(argv: string[]): Promise<number> {
  const io: Io = { stdout: (l) => process.stdout.write(`${l}\n`), stderr: (l) => process.stderr.write(`${l}\n`), env: process.env };
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      io.stdout(HELP);
      return command === undefined ? 2 : 0;
    case '-v':
    case '--version':
    case 'version':
      io.stdout(VERSION);
      return 0;
    case 'serve':
      return serveCommand(rest, io);
    case 'check':
      return checkCommand(rest, io);
    case 'export-rules':
      return (await import('./cli/export-rules-main.ts')).exportRulesMain(rest, io);
    case 'test-notify':
      return (await import('./cli/test-notify.ts')).testNotifyCommand(rest, io);
    case 'demo':
      return (await import('./cli/demo.ts')).demoCommand(rest, io);
    default:
      io.stderr(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // `serve` has stopped everything it started; exit even if a library left a handle open.
    if (process.argv[2] === 'serve' || process.argv[2] === 'demo') setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`prodpulse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
