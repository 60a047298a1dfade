import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls onChange (debounced) when the file changes. Watches the directory, not the file, because editors and
 * Kubernetes ConfigMaps replace the file (rename or symlink swap) rather than writing into it.
 */
export function watchConfigFile(path: string, onChange: () => void, debounceMs = 300): { close(): void } {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name && file !== '..data') return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
      timer.unref();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // no inotify (some container file systems): SIGHUP still reloads
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
