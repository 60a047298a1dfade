import { parseArgs } from 'node:util';

/** Where the config file comes from: --config, then PRODPULSE_CONFIG, then CONFIG_FILE_PATH (older deployments), then ./alerts.yaml. */
export function resolveConfigPath(flag: string | undefined, env: Record<string, string | undefined>): string {
  return flag ?? env.PRODPULSE_CONFIG ?? env.CONFIG_FILE_PATH ?? './alerts.yaml';
}

/** Listen address: --listen, then PRODPULSE_LISTEN, then server.listen in the config, then 0.0.0.0:9470. */
export function resolveListen(flag: string | undefined, env: Record<string, string | undefined>, fromConfig: string | undefined): string {
  return flag ?? env.PRODPULSE_LISTEN ?? fromConfig ?? '0.0.0.0:9470';
}

type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

export function parseCommandArgs(args: string[], options: Options) {
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}
