// prodpulse dashboard: live updates over /events (SSE) and uPlot charts. Served from this process; no build step.
// Everything written into the page is either text (textContent) or HTML the server rendered and escaped.
'use strict';
(function () {
  var MAX_POINTS = 720;
  var $ = function (sel) { return document.querySelector(sel); };
  var live = $('#live');
  var setLive = function (state, text) { if (live) { live.dataset.state = state; live.textContent = text; } };

  function css(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }
  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent || 'null'); } catch (e) { return null; }
  }

  // ---- charts ---------------------------------------------------------------------------------------------------
  var two = function (n) { return n < 10 ? '0' + n : '' + n; };
  function hms(sec) { var d = new Date(sec * 1000); return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds()); }
  var charts = [];
  function makeChart(el, series, data, opts) {
    if (!el || !window.uPlot) return null;
    var width = Math.max(240, el.clientWidth || 300);
    var o = {
      title: el.dataset.title || '',
      width: width,
      height: (opts && opts.height) || 150,
      legend: { show: series.length > 2 },
      scales: { x: { time: true }, y: (opts && opts.y) || { auto: true } },
      axes: [{ stroke: css('--fg', '#222'), grid: { stroke: css('--grid', '#ddd') }, space: 70, values: function (u, vals) { return vals.map(hms); } }, { stroke: css('--fg', '#222'), grid: { stroke: css('--grid', '#ddd') }, size: 50 }],
      series: [{}].concat(series),
      hooks: (opts && opts.hooks) || {},
    };
    var u = new window.uPlot(o, data, el);
    charts.push({ u: u, el: el });
    return u;
  }
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.u.setSize({ width: Math.max(240, c.el.clientWidth || 300), height: c.u.height }); });
  });
  var palette = function (i) { return ['#2f7ed8', '#d9822b', '#8e44ad', '#27ae60', '#c0392b', '#16a085'][i % 6]; };
  var pct = function (v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 10; };

  var host = null;
  function hostCharts(data) {
    if (!document.getElementById('host-charts') || !window.uPlot) return;
    charts.forEach(function (c) { c.u.destroy(); });
    charts = [];
    host = { t: [], cpu: [], mem: [], load: [], swap: [], fsNames: data.filesystems || [], fs: [] };
    (data.points || []).forEach(function (p) { host.t.push(p[0]); host.cpu.push(pct(p[1])); host.mem.push(pct(p[2])); host.load.push(p[3]); host.swap.push(pct(p[4])); });
    host.fsNames.forEach(function (_, i) { host.fs.push((data.fsPoints || []).map(function (p) { return pct(p[i + 1]); })); });
    var y100 = { range: [0, 100] };
    host.cpuChart = makeChart($('#chart-cpu'), [{ label: 'CPU %', stroke: palette(0), fill: 'rgba(47,126,216,0.15)' }], [host.t, host.cpu], { y: y100 });
    host.memChart = makeChart($('#chart-mem'), [{ label: 'Memory %', stroke: palette(1) }], [host.t, host.mem], { y: y100 });
    host.loadChart = makeChart($('#chart-load'), [{ label: 'load1', stroke: palette(2) }], [host.t, host.load]);
    host.swapChart = makeChart($('#chart-swap'), [{ label: 'Swap %', stroke: palette(3) }], [host.t, host.swap], { y: y100 });
    host.fsChart = makeChart($('#chart-fs'), host.fsNames.map(function (n, i) { return { label: n, stroke: palette(i) }; }), [host.t].concat(host.fs), { y: y100 });
  }
  function setText(id, text) { var el = document.getElementById(id); if (el && text !== undefined) el.textContent = text; }
  function hostPoint(p) {
    if (p.text) {
      setText('cpu-value', p.text.cpu); setText('mem-value', p.text.memory); setText('load-value', p.text.load);
      setText('swap-value', p.text.swap); setText('host-sampled', p.text.sampled);
    }
    if (!host) return;
    host.t.push(p.t); host.cpu.push(pct(p.cpu)); host.mem.push(pct(p.memory)); host.load.push(p.load1); host.swap.push(pct(p.swap));
    host.fsNames.forEach(function (n, i) { host.fs[i].push(pct(p.filesystems ? p.filesystems[n] : null)); });
    var arrays = [host.t, host.cpu, host.mem, host.load, host.swap].concat(host.fs);
    if (host.t.length > MAX_POINTS) arrays.forEach(function (a) { a.splice(0, a.length - MAX_POINTS); });
    if (host.cpuChart) host.cpuChart.setData([host.t, host.cpu]);
    if (host.memChart) host.memChart.setData([host.t, host.mem]);
    if (host.loadChart) host.loadChart.setData([host.t, host.load]);
    if (host.swapChart) host.swapChart.setData([host.t, host.swap]);
    if (host.fsChart) host.fsChart.setData([host.t].concat(host.fs));
  }

  // ---- service page ---------------------------------------------------------------------------------------------
  var servicePage = document.querySelector('[data-service-page]');
  var latencyChart = null;
  function outageBands(u) {
    var failed = u.data[2] || [];
    var ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = 'rgba(214, 48, 49, 0.18)';
    for (var i = 0; i < failed.length; i++) {
      if (failed[i] === null || failed[i] === undefined) continue;
      var x0 = u.valToPos(u.data[0][i], 'x', true);
      var x1 = i + 1 < u.data[0].length ? u.valToPos(u.data[0][i + 1], 'x', true) : x0 + 4;
      ctx.fillRect(x0, u.bbox.top, Math.max(3, x1 - x0), u.bbox.height);
    }
    ctx.restore();
  }
  function serviceChart(data) {
    var el = $('#chart-latency');
    if (!el || !window.uPlot) return;
    var t = [], ok = [], bad = [];
    (data.points || []).forEach(function (p) { t.push(p[0]); ok.push(p[1]); bad.push(p[2]); });
    if (latencyChart) { latencyChart.setData([t, ok, bad]); return; }
    latencyChart = makeChart(el, [
      { label: 'latency ms', stroke: palette(0) },
      { label: 'failed', stroke: '#d63031', width: 0, points: { show: true, size: 7, fill: '#d63031' } },
    ], [t, ok, bad], { height: 220, hooks: { drawClear: [outageBands] } });
  }
  var lastServiceFetch = 0;
  function refreshService() {
    if (!servicePage || Date.now() - lastServiceFetch < 2000) return;
    lastServiceFetch = Date.now();
    fetch('/ui/services/' + encodeURIComponent(servicePage.dataset.servicePage) + '/data', { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        replaceFragment('service-summary', d.summary);
        replaceFragment('service-events', d.events);
        serviceChart(d.chart);
      })
      .catch(function () {});
  }

  // ---- fragments and filter -------------------------------------------------------------------------------------
  function replaceFragment(id, html) {
    var el = document.getElementById('frag-' + id);
    if (!el) return;
    el.innerHTML = html; // rendered and escaped by the server
    if (id === 'services') applyEnvFilter();
    if (id === 'silences') enableExpire();
  }
  var envFilter = $('#env-filter');
  function applyEnvFilter() {
    var env = envFilter ? envFilter.value : '';
    document.querySelectorAll('#frag-services tr[data-env]').forEach(function (tr) { tr.hidden = !!env && tr.dataset.env !== env; });
  }
  if (envFilter) envFilter.addEventListener('change', function () {
    var u = new URL(location.href);
    if (envFilter.value) u.searchParams.set('env', envFilter.value); else u.searchParams.delete('env');
    history.replaceState(null, '', u.pathname + u.search + '#services');
    applyEnvFilter();
  });

  // ---- silences -------------------------------------------------------------------------------------------------
  var tokenInput = $('#token');
  var result = $('#silence-result');
  var say = function (text, ok) { if (result) { result.textContent = text; result.dataset.ok = ok ? 'true' : 'false'; } };
  function token() { return (tokenInput && tokenInput.value) || sessionStorage.getItem('prodpulse-token') || ''; }
  function authHeaders() { return { 'content-type': 'application/json', authorization: 'Bearer ' + token() }; }
  function refreshSilences() {
    fetch('/ui/fragments/silences').then(function (r) { return r.json(); }).then(function (d) { replaceFragment('silences', d.html); }).catch(function () {});
  }
  function enableExpire() {
    document.querySelectorAll('button.expire').forEach(function (b) { b.disabled = !token(); });
  }
  function errorText(body, status) {
    var details = body && body.details ? ': ' + body.details.map(function (d) { return typeof d === 'string' ? d : (d.field + ' ' + d.message); }).join('; ') : '';
    return 'Error ' + status + ': ' + ((body && body.error) || 'request failed') + details;
  }
  var fieldset = $('#silence-fieldset');
  if (fieldset) {
    fieldset.disabled = false;
    var hint = $('#silence-hint');
    if (hint) hint.textContent = 'Enter the API token (server.token) to create and expire silences. It is kept in this tab only.';
    if (tokenInput) {
      tokenInput.value = sessionStorage.getItem('prodpulse-token') || '';
      tokenInput.addEventListener('input', function () { sessionStorage.setItem('prodpulse-token', tokenInput.value); enableExpire(); });
    }
    enableExpire();
    $('#silence-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = ev.target;
      var body = {
        matchers: [{ name: f.elements.name.value, value: f.elements.value.value, isRegex: f.elements.isRegex.checked, isEqual: true }],
        endsAt: new Date(Date.now() + Number(f.elements.hours.value) * 3600e3).toISOString(),
        comment: f.elements.comment.value,
        createdBy: f.elements.createdBy.value || undefined,
      };
      fetch('/silences', { method: 'POST', headers: authHeaders(), body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (b) { return { r: r, b: b }; }); })
        .then(function (x) {
          if (x.r.ok) { say('Silence created (' + x.b.id + ')', true); refreshSilences(); } else say(errorText(x.b, x.r.status), false);
        })
        .catch(function (e) { say('Error: ' + e.message, false); });
    });
    document.addEventListener('click', function (ev) {
      var b = ev.target.closest && ev.target.closest('button.expire');
      if (!b) return;
      fetch('/silences/' + encodeURIComponent(b.dataset.id), { method: 'DELETE', headers: authHeaders() })
        .then(function (r) { return r.json().then(function (x) { return { r: r, b: x }; }); })
        .then(function (x) { if (x.r.ok) { say('Silence expired', true); refreshSilences(); } else say(errorText(x.b, x.r.status), false); })
        .catch(function (e) { say('Error: ' + e.message, false); });
    });
  }

  // ---- demo panel (prodpulse demo only) -------------------------------------------------------------------------
  var demo = $('#demo');
  if (demo) {
    var demoOut = $('#demo-result');
    var demoSay = function (text, ok) { if (demoOut) { demoOut.textContent = text; demoOut.dataset.ok = ok ? 'true' : 'false'; } };
    var demoButtons = demo.querySelectorAll('button.demo-fault');
    demoButtons.forEach(function (b) { b.disabled = false; });
    demo.addEventListener('click', function (ev) {
      var b = ev.target.closest && ev.target.closest('button.demo-fault');
      if (!b) return;
      fetch(demo.dataset.controlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: b.dataset.target, fault: b.dataset.fault }) })
        .then(function (r) { return r.json().then(function (x) { return { r: r, b: x }; }); })
        .then(function (x) {
          if (!x.r.ok) return demoSay(errorText(x.b, x.r.status), false);
          var faults = x.b.faults || {};
          demo.querySelectorAll('tr[data-demo-target]').forEach(function (tr) {
            var cell = tr.querySelector('.demo-current');
            if (cell && faults[tr.dataset.demoTarget]) cell.textContent = faults[tr.dataset.demoTarget];
          });
          demoSay((x.b.changed || []).map(function (c) { return c.target + ': ' + c.fault; }).join(', '), true);
        })
        .catch(function (e) { demoSay('Error: ' + e.message, false); });
    });
  }

  // ---- live updates ---------------------------------------------------------------------------------------------
  hostCharts(readJson('host-data') || {});
  var sdata = readJson('service-data');
  if (sdata) serviceChart(sdata);
  applyEnvFilter();
  // EventSource retries by itself after a dropped stream, but gives up for good on an HTTP error (a 503 while the
  // sidecar stops, or too many streams): then a new one is opened after a growing delay, up to 15 s.
  var delay = 1000;
  function connect() {
    setLive('connecting', 'connecting…');
    var es = new EventSource('/events');
    es.addEventListener('open', function () { delay = 1000; setLive('live', '● live'); });
    es.addEventListener('error', function () {
      setLive('reconnecting', '○ reconnecting…');
      if (es.readyState === EventSource.CLOSED) {
        setTimeout(connect, delay);
        delay = Math.min(15000, delay * 2);
      }
    });
    es.addEventListener('fragment', function (ev) {
      var d = JSON.parse(ev.data);
      if (!servicePage) replaceFragment(d.id, d.html);
    });
    es.addEventListener('host-history', function (ev) { if (!servicePage) hostCharts(JSON.parse(ev.data)); });
    es.addEventListener('host', function (ev) {
      if (servicePage) refreshService(); else hostPoint(JSON.parse(ev.data));
    });
    window.addEventListener('pagehide', function () { es.close(); }, { once: true });
  }
  if (window.EventSource) connect();
})();
