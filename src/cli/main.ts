// Argv → command. Each command lives in src/cli/; src/main.ts only prepares the process (src/lib/launch.ts) and loads this.
// Commands are imported when run: `analyze` and `check` must not pay for loading the whole sidecar.
import { processIo, runToExit } from './process.ts';
import { VERSION } from '../lib/version.ts';

const HELP = `prodpulse ${VERSION}: Prometheus exporter and alerting sidecar

Usage: node src/main.ts <command> [options]

Commands:
  serve [--config PATH] [--listen HOST:PORT]   sample the host, serve /metrics, evaluate rules, send alerts
  check [PATH | --config PATH]                 validate alerts.yaml (FILE:LINE:COL errors; exit 1 when invalid)
  export-rules [PATH] [--out FILE]             write the alerts.yaml rules as a Prometheus alerting-rules file
  test-notify [CHANNEL] [--config PATH]        send a test alert through the real pipeline to one or all channels
      [--dry-run] [--html FILE]                print what each channel would send / write the email's HTML; send nothing
  demo [--listen HOST:PORT] [--control-port P] the real sidecar with pushing services, probed dependencies, faults
  analyze --file EVENTS.json [options]         offline heartbeat analysis of an events file (analyze --help)

Options:
  -h, --help       this help
  -v, --version    print the version

Environment:
  PRODPULSE_CONFIG (or CONFIG_FILE_PATH)   config path (default ./alerts.yaml)
  PRODPULSE_LISTEN                         listen address (default 0.0.0.0:9470)
  LOG_LEVEL                                pino level (default info)
`;

async function main(argv: string[]): Promise<number> {
  const io = processIo();
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
      return (await import('./serve.ts')).serveCommand(rest, io);
    case 'check':
      return (await import('./check.ts')).checkCommand(rest, io);
    case 'export-rules':
      return (await import('./export-rules-main.ts')).exportRulesMain(rest, io);
    case 'analyze':
      return (await import('./analyze.ts')).analyzeCommand(rest, io);
    case 'demo':
      return (await import('./demo.ts')).demoCommand(rest, io);
    case 'test-notify':
      return (await import('./test-notify.ts')).testNotifyCommand(rest, io);
    default:
      io.stderr(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

runToExit(main(process.argv.slice(2)), process.argv[2] === 'demo');
