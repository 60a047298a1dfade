/**
 * Server-side HTML for the dashboard with hono/html: every interpolated value is escaped, `raw` only wraps markup
 * built here. Each live section is a fragment function; the page calls them for first paint and the event stream
 * calls the same functions to push a section again when it changed.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { bytes, duration, iso, ms, num, percent, time } from './format.ts';
import type {
  ActiveAlertView,
  AlertsView,
  DemoPanel,
  CheckMark,
  DashboardViews,
  HeartbeatView,
  HostView,
  KindCounts,
  ServiceDetailView,
  ServiceView,
  SilenceView,
  StatusCounts,
  TargetStatus,
} from './views.ts';

export type Html = HtmlEscapedString;
/** hono/html is synchronous when nothing interpolated is a promise (never here) */
const h = (strings: TemplateStringsArray, ...values: unknown[]): Html => html(strings, ...values) as Html;

export const FRAGMENTS = ['overview', 'active-alerts', 'host-stats', 'services', 'heartbeats', 'history', 'silences'] as const;
export type FragmentId = (typeof FRAGMENTS)[number];

const SHAPE: Record<TargetStatus, string> = { HEALTHY: '●', DEGRADED: '▲', DOWN: '✖', UNKNOWN: '?' };

/** status in words, a shape and a colour class (never colour alone) */
export function badge(status: TargetStatus): Html {
  return h`<span class="st st-${status.toLowerCase()}" data-status="${status}"><span aria-hidden="true">${SHAPE[status]}</span> ${status}</span>`;
}

function severityBadge(sev: string): Html {
  const shape = sev === 'critical' ? '✖' : sev === 'warning' ? '▲' : 'ℹ';
  return h`<span class="sev sev-${sev}"><span aria-hidden="true">${shape}</span> ${sev}</span>`;
}

function when(epochMs: number | null): Html {
  return epochMs === null ? h`–` : h`<time datetime="${iso(epochMs)}">${time(epochMs)}</time>`;
}

// ---- overview ------------------------------------------------------------------------------------------------

function countLine(label: string, c: KindCounts, anchor: string): Html {
  const worst: TargetStatus = c.down > 0 ? 'DOWN' : c.degraded > 0 ? 'DEGRADED' : c.healthy > 0 ? 'HEALTHY' : 'UNKNOWN';
  if (c.healthy + c.degraded + c.down + c.unknown === 0) return h`<li class="kind" data-kind="${anchor}"><a href="#${anchor}">${label}</a> <span class="muted">none configured</span></li>`;
  return h`<li class="kind" data-kind="${anchor}"><a href="#${anchor}">${label}</a> ${badge(worst)}
    <span class="counts"><span class="c c-healthy">${c.healthy} HEALTHY</span> · <span class="c c-degraded">${c.degraded} DEGRADED</span> · <span class="c c-down">${c.down} DOWN</span>${c.unknown ? h` · <span class="c c-unknown">${c.unknown} UNKNOWN</span>` : ''}</span></li>`;
}

export function overviewFragment(counts: StatusCounts): Html {
  return h`<ul class="overview">${countLine('Host', counts.host, 'host')}${countLine('Services', counts.services, 'services')}${countLine('Heartbeats', counts.heartbeats, 'heartbeats')}</ul>`;
}

// ---- alerts --------------------------------------------------------------------------------------------------

function activeRow(a: ActiveAlertView, now: number): Html {
  const since = a.firingSince ?? a.activeSince;
  return h`<tr data-alert="${a.alert}" data-state="${a.state}" class="alert-${a.state}">
    <td>${severityBadge(a.severity)}</td><td class="state">${a.state}</td><td><strong>${a.alert}</strong><div class="summary">${a.summary}</div>
    <div class="labels">${Object.entries(a.labels).filter(([k]) => k !== 'alertname' && k !== 'severity').map(([k, v]) => h`<code>${k}=${v}</code> `)}</div></td>
    <td>${num(a.value, 3)} <span class="muted">(threshold ${num(a.threshold, 3)})</span></td>
    <td>${when(since)}<div class="muted">for ${duration(now - since)}</div></td>
    <td>${a.silencedBy ? h`<span class="silenced">🔕 silenced</span> <code>${a.silencedBy.slice(0, 8)}</code>` : h`<span class="muted">not silenced</span>`}</td></tr>`;
}

export function activeAlertsFragment(view: Pick<AlertsView, 'active'>, now: number): Html {
  if (view.active.length === 0) return h`<p class="none" data-empty="alerts">No active alerts.</p>`;
  return h`<table class="alerts"><thead><tr><th>Severity</th><th>State</th><th>Alert</th><th>Value</th><th>Since</th><th>Silence</th></tr></thead>
    <tbody>${view.active.map((a) => activeRow(a, now))}</tbody></table>`;
}

export function historyFragment(view: AlertsView): Html {
  const channels = view.channels.length
    ? h`<p class="channels">Channels: ${view.channels.map((c) => h`<span class="chan ${c.active ? 'chan-on' : 'chan-off'}" title="${c.inactiveReason ?? ''}">${c.active ? '●' : '○'} ${c.name} (${c.type}${c.active ? '' : ', inactive'})</span> `)} · queue ${view.queueDepth}</p>`
    : h`<p class="channels muted">No channels configured.</p>`;
  if (view.history.length === 0) return h`${channels}<p class="none">No alerts yet.</p>`;
  return h`${channels}<table class="history"><thead><tr><th>Alert</th><th>Severity</th><th>Started</th><th>Ended</th><th>Duration</th><th>Delivery</th></tr></thead><tbody>
    ${view.history.map(
      (e) => h`<tr data-alert="${e.alert}" data-state="${e.state}"><td><strong>${e.alert}</strong><div class="summary">${e.summary}</div></td><td>${severityBadge(e.severity)}</td>
      <td>${when(e.startsAt)}</td><td>${e.endsAt === null ? h`<span class="firing">still firing</span>` : when(e.endsAt)}</td><td>${duration(e.durationMs)}</td>
      <td>${e.deliveries.length === 0 ? h`<span class="muted">–</span>` : e.deliveries.map((d) => h`<div class="dlv dlv-${d.status}" title="${d.lastError ?? ''}">${d.channel}: ${d.kind} ${d.status}${d.attempts > 1 ? ` (${d.attempts} attempts)` : ''}${d.lastError ? h` — <span class="err">${d.lastError}</span>` : ''}</div>`)}</td></tr>`,
    )}</tbody></table><p class="muted">${view.history.length} of ${view.historyTotal} episodes.</p>`;
}

export function silencesFragment(list: SilenceView[]): Html {
  if (list.length === 0) return h`<p class="none">No silences.</p>`;
  return h`<table class="silences"><thead><tr><th>Status</th><th>Matchers</th><th>From</th><th>Until</th><th>By</th><th>Comment</th><th></th></tr></thead><tbody>
    ${list.map(
      (s) => h`<tr data-silence="${s.id}" data-status="${s.status}"><td>${s.status}${s.source === 'config' ? ' (maintenance)' : ''}</td>
      <td>${s.matchers.map((m) => h`<code>${m.name}${m.isEqual ? (m.isRegex ? '=~' : '=') : m.isRegex ? '!~' : '!='}"${m.value}"</code> `)}</td>
      <td>${when(s.startsAt)}</td><td>${when(s.endsAt)}</td><td>${s.createdBy}</td><td>${s.comment}</td>
      <td>${s.source === 'api' && s.status !== 'expired' ? h`<button type="button" class="expire" data-id="${s.id}" disabled>Expire</button>` : ''}</td></tr>`,
    )}</tbody></table>`;
}

// ---- host ----------------------------------------------------------------------------------------------------

export function hostStatsFragment(host: HostView): Html {
  const p = host.latest;
  return h`<div class="host-line">${badge(host.status)} <span class="muted">sampled <span id="host-sampled">${when(host.takenAt)}</span></span></div>
  <dl class="stats">
    <div><dt>CPU</dt><dd><span id="cpu-value">${percent(p?.cpu)}</span></dd></div>
    <div><dt>Memory</dt><dd><span id="mem-value">${percent(p?.memory)}</span>${host.memory ? h` <span class="muted">of ${bytes(host.memory.totalBytes)}</span>` : ''}</dd></div>
    <div><dt>Load</dt><dd><span id="load-value">${host.load ? `${num(host.load.load1)} / ${num(host.load.load5)} / ${num(host.load.load15)}` : '–'}</span></dd></div>
    <div><dt>Swap</dt><dd><span id="swap-value">${percent(p?.swap)}</span></dd></div>
  </dl>
  <table class="fs"><thead><tr><th>Filesystem</th><th>Used</th><th></th><th>Free</th></tr></thead><tbody>
  ${host.filesystems.map((f) => h`<tr><td><code>${f.mountpoint}</code> <span class="muted">${f.device} ${f.fstype}</span></td><td>${percent(f.usedRatio)}</td><td><meter min="0" max="1" low="0.8" high="0.9" optimum="0" value="${f.usedRatio.toFixed(4)}">${percent(f.usedRatio)}</meter></td><td>${bytes(f.availBytes)} of ${bytes(f.sizeBytes)}</td></tr>`)}
  </tbody></table>
  ${host.failedCollectors.length ? h`<p class="warn">Collectors failing: ${host.failedCollectors.map((c) => h`<code>${c.name}</code> (${c.error}) `)}</p>` : ''}`;
}

// ---- services ------------------------------------------------------------------------------------------------

/**
 * The last checks as one small SVG: consecutive checks of the same outcome merge into one rectangle. Only numbers
 * go into the markup, so it is assembled as a string (this runs once per service per render).
 */
export function checksBar(marks: readonly CheckMark[], width = 150, height = 16): Html {
  const n = 50;
  const w = width / n;
  const list = marks.length > n ? marks.slice(-n) : marks;
  const start = n - list.length;
  let ok = '';
  let fail = '';
  let failed = 0;
  let i = 0;
  while (i < list.length) {
    const state = list[i]!.ok;
    let j = i;
    while (j + 1 < list.length && list[j + 1]!.ok === state) j++;
    const x = Math.round((start + i) * w * 10) / 10;
    const len = Math.round(((j - i + 1) * w - 0.6) * 10) / 10;
    const d = `M${x} 0h${len}v${height}h-${len}z`;
    if (state) ok += d;
    else {
      fail += d;
      failed += j - i + 1;
    }
    i = j + 1;
  }
  return raw(
    `<svg class="checks" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="last ${list.length} checks: ${list.length - failed} ok, ${failed} failed"><path class="ck-ok" d="${ok}"/><path class="ck-fail" d="${fail}"/></svg>`,
  ) as Html;
}

function uptime(r: number | null): string {
  return r === null ? '–' : `${(r * 100).toFixed(r >= 0.9995 && r < 1 ? 3 : 2)}%`;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** the same escaping as hono/html, for the one hot path assembled as a string */
export function esc(v: string): string {
  return /[&<>"']/.test(v) ? v.replace(/[&<>"']/g, (c) => ESC[c]!) : v;
}

const badgeCache = new Map<TargetStatus, string>();
const badgeText = (st: TargetStatus) => {
  let b = badgeCache.get(st);
  if (b === undefined) badgeCache.set(st, (b = badge(st).toString()));
  return b;
};

/** One row per service, up to thousands per render: plain string building, every value through esc(). */
function serviceRow(s: ServiceView): string {
  const version = `${esc(s.version ?? '–')}${s.expectedVersion !== null ? ` <span class="muted">/ ${esc(s.expectedVersion)}</span>` : ''}${s.drift ? ' <span class="drift">⚠ drift</span>' : ''}`;
  return `<tr data-service="${esc(s.id)}" data-env="${esc(s.environment)}" data-status="${esc(s.status)}"><td>${badgeText(s.status)}</td>
<td><a href="/ui/services/${esc(encodeURIComponent(s.id))}">${esc(s.name)}</a></td><td>${esc(s.environment)}</td><td>${ms(s.latencyMs)}</td>
<td>${version}</td><td>${uptime(s.uptime.h24)}</td><td>${uptime(s.uptime.d7)}</td><td>${uptime(s.uptime.d30)}</td><td>${checksBar(s.last50).toString()}</td></tr>`;
}

export function servicesFragment(list: ServiceView[], env?: string): Html {
  if (list.length === 0) return h`<p class="none">No services configured.</p>`;
  const shown = env ? list.filter((s) => s.environment === env) : list;
  return h`<table class="services"><thead><tr><th>Status</th><th>Service</th><th>Env</th><th>Latency</th><th>Version found / expected</th><th>24 h</th><th>7 d</th><th>30 d</th><th>Last 50 checks</th></tr></thead>
<tbody>${raw(shown.map(serviceRow).join(''))}</tbody></table>`;
}

function envFilter(list: ServiceView[], env: string | undefined): Html {
  const envs = [...new Set(list.map((s) => s.environment))].sort();
  if (envs.length < 2) return h``;
  return h`<form class="filter" method="get" action="/#services"><label>Environment <select name="env" id="env-filter"><option value="">all</option>${envs.map((e) => h`<option value="${e}"${e === env ? raw(' selected') : ''}>${e}</option>`)}</select></label> <noscript><button type="submit">Filter</button></noscript></form>`;
}

// ---- heartbeats ----------------------------------------------------------------------------------------------

export function heartbeatsFragment(list: HeartbeatView[]): Html {
  if (list.length === 0) return h`<p class="none">No heartbeats configured.</p>`;
  return h`<table class="heartbeats"><thead><tr><th>Status</th><th>Service</th><th>Last ping</th><th>Next deadline</th><th>Missed</th><th>Last message</th><th>Last run</th></tr></thead><tbody>
  ${list.map((b) => h`<tr data-heartbeat="${b.service}" data-status="${b.status}"><td>${badge(b.status)}</td><td>${b.service}</td><td>${when(b.lastPingAt)}</td><td>${when(b.nextDeadlineAt)}</td><td>${b.missedIntervals}</td><td>${b.lastMessage ?? '–'}</td><td>${ms(b.lastRunDurationMs)}</td></tr>`)}
  </tbody></table>`;
}

// ---- pages ---------------------------------------------------------------------------------------------------

/** JSON for a <script type="application/json"> block: `<` escaped so no content can close the element */
export function jsonScript(id: string, data: unknown): Html {
  return h`<script type="application/json" id="${id}">${raw(JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'))}</script>`;
}

function layout(title: string, body: Html, scripts: boolean): Html {
  return h`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${title}</title>
<link rel="stylesheet" href="/assets/uplot.min.css"><link rel="stylesheet" href="/assets/dashboard.css"><link rel="icon" href="data:,">
</head><body>${body}${scripts ? h`<script src="/assets/uplot.min.js" defer></script><script src="/assets/dashboard.js" defer></script>` : ''}</body></html>`;
}

function header(version: string): Html {
  return h`<header><h1><a href="/">prodpulse</a></h1><span class="muted">${version}</span>
  <nav><a href="#host">Host</a> <a href="#services">Services</a> <a href="#heartbeats">Heartbeats</a> <a href="#history">Alerts</a> <a href="#silences">Silences</a> <a href="/docs">API</a></nav>
  <span id="live" class="live" data-state="static" aria-live="polite">static page</span></header>`;
}

export function renderFragment(id: FragmentId, views: DashboardViews, now: number, alerts?: AlertsView): Html {
  switch (id) {
    case 'overview':
      return overviewFragment(views.statusCounts());
    case 'active-alerts':
      return activeAlertsFragment(alerts ?? { active: views.alerts().active }, now);
    case 'host-stats':
      return hostStatsFragment(views.host());
    case 'services':
      return servicesFragment(views.services());
    case 'heartbeats':
      return heartbeatsFragment(views.heartbeats());
    case 'history':
      return historyFragment(alerts ?? views.alerts());
    case 'silences':
      return silencesFragment(views.silences());
  }
}

/** the numbers the page updates in place on every sample (the host-stats section itself is re-sent less often) */
export function hostText(host: HostView) {
  const p = host.latest;
  return {
    cpu: percent(p?.cpu),
    memory: percent(p?.memory),
    load: host.load ? `${num(host.load.load1)} / ${num(host.load.load5)} / ${num(host.load.load15)}` : '–',
    swap: percent(p?.swap),
    sampled: time(host.takenAt),
  };
}

/** the chart data the page script starts from */
export function chartData(host: HostView) {
  return {
    points: host.history.map((p) => [p.takenAt / 1000, p.cpu, p.memory, p.load1, p.swap]),
    filesystems: Object.keys(host.latest?.filesystems ?? {}),
    fsPoints: host.history.map((p) => [p.takenAt / 1000, ...Object.keys(host.latest?.filesystems ?? {}).map((m) => p.filesystems[m] ?? null)]),
  };
}

// ---- demo panel (prodpulse demo only) ----------------------------------------------------------------------

/** Fault buttons per target; the page script posts `{target, fault}` as JSON to the panel's control URL. */
export function demoPanelSection(panel: DemoPanel): Html {
  const state = panel.state();
  return h`<section id="demo" class="demo" data-control-url="${panel.controlUrl}"><h2>Demo</h2>
<p class="muted">Inject a fault and watch the statuses, the alerts and the terminal follow. The buttons need JavaScript; scripts can <code>POST ${panel.controlUrl}</code> with JSON <code>{"target": "payment", "fault": "HIGH_CPU"}</code>.</p>
<table class="demo-faults"><thead><tr><th>Target</th><th>Kind</th><th>Fault now</th><th>Inject</th></tr></thead><tbody>
${panel.targets.map(
  (t) => h`<tr data-demo-target="${t.name}"><td>${t.name}</td><td>${t.kind}</td><td class="demo-current">${state[t.name] ?? 'NONE'}</td>
<td>${t.faults.map((f) => h`<button type="button" class="demo-fault" data-target="${t.name}" data-fault="${f}" disabled>${f}</button> `)}</td></tr>`,
)}</tbody></table>
<p><button type="button" class="demo-fault" data-target="all" data-fault="RECOVER" disabled>RECOVER all</button> <output id="demo-result" role="status"></output></p></section>`;
}

export function dashboardPage(views: DashboardViews, opts: { version: string; now: number; env?: string | undefined; demo?: DemoPanel }): Html {
  const alerts = views.alerts();
  const host = views.host();
  const services = views.services();
  const frag = (id: FragmentId, inner: Html) => h`<div id="frag-${id}" data-fragment="${id}">${inner}</div>`;
  const body = h`${header(opts.version)}<main>
<section id="overview-section" aria-label="Overview">${frag('overview', overviewFragment(views.statusCounts()))}</section>
${opts.demo ? demoPanelSection(opts.demo) : ''}
<section id="alerts"><h2>Active alerts</h2>${frag('active-alerts', activeAlertsFragment(alerts, opts.now))}</section>
<section id="host"><h2>Host</h2>${frag('host-stats', hostStatsFragment(host))}
  <div class="charts" id="host-charts"><div class="chart" id="chart-cpu" data-title="CPU %"></div><div class="chart" id="chart-mem" data-title="Memory %"></div>
  <div class="chart" id="chart-load" data-title="Load (1 min)"></div><div class="chart" id="chart-swap" data-title="Swap %"></div><div class="chart wide" id="chart-fs" data-title="Filesystems used %"></div></div>
  ${jsonScript('host-data', chartData(host))}</section>
<section id="services"><h2>Services</h2>${envFilter(services, opts.env)}${frag('services', servicesFragment(services, opts.env))}</section>
<section id="heartbeats"><h2>Heartbeats</h2>${frag('heartbeats', heartbeatsFragment(views.heartbeats()))}</section>
<section id="history"><h2>Alert history</h2>${frag('history', historyFragment(alerts))}</section>
<section id="silences"><h2>Silences</h2>${frag('silences', silencesFragment(views.silences()))}
${silenceForm()}</section>
</main>`;
  return layout('prodpulse', body, true);
}

function silenceForm(): Html {
  return h`<form id="silence-form" class="silence-form"><fieldset id="silence-fieldset" disabled><legend>New silence</legend>
<p class="muted" id="silence-hint">Creating and expiring silences needs JavaScript and the API token (server.token).</p>
<label>Token <input type="password" id="token" autocomplete="off" placeholder="server.token (kept for this tab only)"></label>
<label>Label <input name="name" required value="alertname"></label> <label>Value <input name="value" required></label>
<label><input type="checkbox" name="isRegex"> regex</label>
<label>For <select name="hours"><option value="1">1 hour</option><option value="4">4 hours</option><option value="24">1 day</option><option value="168">1 week</option></select></label>
<label>Comment <input name="comment" required></label> <label>By <input name="createdBy"></label>
<button type="submit">Create silence</button> <output id="silence-result" role="status"></output></fieldset></form>`;
}

export function servicePage(view: ServiceDetailView, opts: { version: string; now: number }): Html {
  const body = h`${header(opts.version)}<main data-service-page="${view.id}">
<section id="service-head"><h2>${view.name}</h2>${frag2('service-summary', serviceSummary(view))}</section>
<section><h2>Latency</h2><div class="chart wide" id="chart-latency" data-title="Latency (ms); failed checks marked"></div>${jsonScript('service-data', serviceChartData(view))}</section>
<section><h2>Events</h2>${frag2('service-events', serviceEvents(view))}</section></main>`;
  return layout(`${view.name} — prodpulse`, body, true);
}

const frag2 = (id: string, inner: Html) => h`<div id="frag-${id}" data-fragment="${id}">${inner}</div>`;

export function serviceSummary(v: ServiceDetailView): Html {
  return h`<p>${badge(v.status)} <code>${v.url}</code> · ${v.environment}</p>
<dl class="stats"><div><dt>Latency</dt><dd>${ms(v.latencyMs)}</dd></div><div><dt>Version</dt><dd>${v.version ?? '–'}${v.expectedVersion !== null ? h` <span class="muted">expected ${v.expectedVersion}</span>` : ''}${v.drift ? h` <span class="drift">⚠ drift</span>` : ''}</dd></div>
<div><dt>Uptime 24 h</dt><dd>${uptime(v.uptime.h24)}</dd></div><div><dt>7 d</dt><dd>${uptime(v.uptime.d7)}</dd></div><div><dt>30 d</dt><dd>${uptime(v.uptime.d30)}</dd></div></dl>
<p>${checksBar(v.last50, 300, 20)}</p>`;
}

export function serviceEvents(v: ServiceDetailView): Html {
  if (v.events.length === 0) return h`<p class="none">No events.</p>`;
  return h`<table class="events"><thead><tr><th>Event</th><th>At</th><th>Lasted</th><th>Detail</th></tr></thead><tbody>
${v.events.map((e) => h`<tr data-event="${e.kind}"><td>${e.kind === 'down' ? badge('DOWN') : e.kind === 'up' ? badge('HEALTHY') : h`<span class="drift">version</span>`}</td><td>${when(e.at)}</td><td>${e.durationMs === null ? 'ongoing' : duration(e.durationMs)}</td><td>${e.detail}</td></tr>`)}
</tbody></table>`;
}

export function serviceChartData(v: ServiceDetailView) {
  return { points: v.series.map((m) => [m.timestamp / 1000, m.ok ? m.latencyMs : null, m.ok ? null : m.latencyMs]) };
}
