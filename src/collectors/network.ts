import type { Reading } from '../snapshot/snapshot.ts';
import type { Collector, CollectorOutput } from './collector.ts';
import { type DeviceFilter, type HostCollectorOptions, deviceAllowed, fields, isLinux, readHostFile } from './host-files.ts';
import { loadSystemInformation } from './si.ts';
import type { MetricSpecs } from '../sources/source.ts';

/** What this collector produces, as registered on /metrics. */
export const NETWORK_METRICS = {
  host_network_receive_bytes_total: { type: 'counter', help: 'Bytes received on the network device.', labels: ['device'] },
  host_network_transmit_bytes_total: { type: 'counter', help: 'Bytes transmitted on the network device.', labels: ['device'] },
} as const satisfies MetricSpecs;


export interface NetworkSummaryItem {
  device: string;
  receiveBytes: number;
  transmitBytes: number;
}

/** Parses /proc/net/dev: "  eth0: rx_bytes rx_packets … (8 receive fields) tx_bytes …". */
export function parseNetDev(text: string): NetworkSummaryItem[] {
  const out: NetworkSummaryItem[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    const f = fields(line.slice(colon + 1)).map(Number);
    const rx = f[0];
    const tx = f[8];
    if (device === '' || rx === undefined || tx === undefined || !Number.isFinite(rx) || !Number.isFinite(tx)) continue;
    out.push({ device, receiveBytes: rx, transmitBytes: tx });
  }
  return out;
}

function output(items: NetworkSummaryItem[]): CollectorOutput {
  const readings: Reading[] = [];
  for (const n of items)
    readings.push(
      { metric: 'host_network_receive_bytes_total', labels: { device: n.device }, value: n.receiveBytes },
      { metric: 'host_network_transmit_bytes_total', labels: { device: n.device }, value: n.transmitBytes },
    );
  return { readings, summary: items };
}

/** host_network_receive_bytes_total / host_network_transmit_bytes_total{device}. */
export function createNetworkCollector(opts: HostCollectorOptions & DeviceFilter): Collector {
  return {
    name: 'network',
    kind: 'host',
    metrics: NETWORK_METRICS,
    async collect(signal) {
      let all: NetworkSummaryItem[];
      if (isLinux(opts)) all = parseNetDev(await readHostFile(opts.paths.procfs, 'net/dev', signal));
      else all = (await (await loadSystemInformation()).networkStats('*')).map((n) => ({ device: n.iface, receiveBytes: n.rx_bytes, transmitBytes: n.tx_bytes }));
      return output(all.filter((n) => deviceAllowed(n.device, opts)));
    },
  };
}
