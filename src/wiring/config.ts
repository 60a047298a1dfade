/**
 * The config loader as the sidecar and the CLI use it: src/config/load.ts with the catalog of every metric the
 * sources can produce, so a rule on a metric nothing produces (`host_lod1`) and a template label a metric never
 * has are warned about. config/ stays below the sources (they read its types); the catalog is handed to it here.
 */
import { loadConfigFile, parseConfigText, type LoadOptions, type LoadResult } from '../config/load.ts';
import { KNOWN_METRIC_LABELS } from './catalog.ts';

export function loadConfig(file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  return loadConfigFile(file, { metricLabels: KNOWN_METRIC_LABELS, ...opts });
}

export function parseConfig(text: string, file: string, opts: LoadOptions = {}): LoadResult {
  return parseConfigText(text, file, { metricLabels: KNOWN_METRIC_LABELS, ...opts });
}
