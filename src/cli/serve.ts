import { loadConfig } from '../wiring/config.ts';
import { watchConfigFile } from '../config/watch.ts';
import { parseListen } from '../http/server.ts';
import { createLogger } from '../lib/logger.ts';
import { createSidecar } from '../sidecar.ts';
import { parseCommandArgs, resolveConfigPath, resolveListen } from './args.ts';
import type { Io } from './check.ts';

/** `serve [--config PATH] [--listen HOST:PORT]`: runs the sidecar until SIGTERM/SIGINT. */
export async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(args, { config: { type: 'string', short: 'c' }, listen: { type: 'string', short: 'l' } });
  const logger = createLogger();
  const configPath = resolveConfigPath(values.config as string | undefined, io.env);
  const loaded = await loadConfig(configPath, { env: io.env });
  if (!loaded.ok) {
    for (const e of loaded.errors) io.stderr(e);
    logger.error({ config: configPath, errors: loaded.errors.length }, 'configuration is invalid; not starting');
    return 1;
  }
  for (const w of loaded.warnings) logger.warn({ config: configPath }, w);
  let at: { host: string; port: number };
  try {
    at = parseListen(resolveListen(values.listen as string | undefined, io.env, loaded.config.server.listen));
  } catch (err) {
    io.stderr((err as Error).message);
    return 2;
  }
  let sidecar: Awaited<ReturnType<typeof createSidecar>>;
  try {
    sidecar = await createSidecar(loaded.config, { logger, configPath, env: io.env, listenPort: at.port });
  } catch (err) {
    // one line, no stack: storage.path "…": the reason (src/store/db.ts StorageError), or whatever else stopped start-up
    const message = (err as Error)?.message ?? String(err);
    io.stderr(`cannot start: ${message}`);
    logger.error({ err: { message } }, 'cannot start');
    return 1;
  }
  try {
    await sidecar.start(at);
  } catch (err) {
    logger.error({ err: { message: (err as Error).message } }, 'cannot start');
    await sidecar.stop(0);
    return 1;
  }

  const reload = (why: string) =>
    sidecar.reload(why).catch((err: unknown) => logger.error({ err: { message: (err as Error).message } }, 'config reload failed'));
  const watcher = watchConfigFile(configPath, () => void reload('file changed'));
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      watcher.close();
      const hard = setTimeout(() => {
        logger.warn('graceful stop took longer than 5s; exiting');
        resolve(1);
      }, 5000);
      hard.unref();
      sidecar.stop(3500).then(
        () => {
          clearTimeout(hard);
          logger.info('stopped');
          resolve(0);
        },
        (err: unknown) => {
          clearTimeout(hard);
          logger.error({ err }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => void reload('SIGHUP'));
  });
}
