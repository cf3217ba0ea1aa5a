/**
 * The page's script: vanilla JS, no framework, no CDN. Polls `/cache` every 2 s and charts
 * hit ratio and p95 read latency per poll window (the difference between two polls of the
 * services' cumulative counters), so the lines move with current traffic, not with history.
 */
export const DASHBOARD_JS = String.raw`'use strict';
(function () {
  var POLL_MS = 2000;
  var STATS_POLL_MS = 5000;
  var HISTORY = 90;
  var COLORS = { users: '#58a6ff', catalog: '#d2a8ff', dashboard: '#3fb950' };
  var history = [];
  var previous = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svgEl(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function row(cells, classes) {
    var tr = el('tr');
    cells.forEach(function (cell, i) { tr.appendChild(el('td', classes && classes[i] ? { class: classes[i] } : {}, cell)); });
    return tr;
  }
  function replace(parent, children) { parent.replaceChildren.apply(parent, children); }
  function pct(ratio) { return ratio === null || ratio === undefined ? '–' : (ratio * 100).toFixed(1) + ' %'; }
  function ms(value) { return value === null || value === undefined ? '–' : value < 1 ? value.toFixed(2) : value.toFixed(1); }
  function num(value) { return value === null || value === undefined ? '–' : Number(value).toLocaleString('en-US'); }
  function bytes(value) { return value ? (value / 1048576).toFixed(1) + ' MB' : 'no limit'; }
  function level(ratio) { return ratio === null ? '' : ratio < 0.5 ? 'crit' : ratio < 0.8 ? 'warn' : 'ok'; }

  async function getJson(path) {
    var response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
    var body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { status: response.status, headers: response.headers, body: body };
  }

  function quantile(q, buckets) {
    var total = buckets.length ? buckets[buckets.length - 1][1] : 0;
    if (!total) return null;
    var rank = q * total, prevLe = 0, prevCount = 0;
    for (var i = 0; i < buckets.length; i++) {
      var le = buckets[i][0] === null ? Infinity : buckets[i][0], count = buckets[i][1];
      if (count >= rank) {
        if (le === Infinity) return prevLe;
        var inBucket = count - prevCount;
        return inBucket ? prevLe + (le - prevLe) * ((rank - prevCount) / inBucket) : le;
      }
      prevLe = le; prevCount = count;
    }
    return prevLe;
  }

  function windowPoint(report) {
    var point = { at: Date.now(), hit: {}, p95: {} };
    report.services.forEach(function (s) {
      var before = previous && previous.services.find(function (p) { return p.service === s.service; });
      if (!s.up || !before || !before.up) return;
      var reads = s.reads.total - before.reads.total;
      if (reads > 0) point.hit[s.service] = (s.reads.hit + s.reads.stale - before.reads.hit - before.reads.stale) / reads;
      var diff = s.readLatencyBuckets.map(function (b, i) { return [b[0], b[1] - ((before.readLatencyBuckets[i] || [0, 0])[1])]; });
      var p95 = quantile(0.95, diff);
      if (p95 !== null) point.p95[s.service] = p95 * 1000;
    });
    return point;
  }

  function drawChart(svg, legend, key, maxValue, format) {
    var W = 600, H = 200, L = 44, B = 20, T = 8;
    var services = Object.keys(COLORS);
    var max = maxValue;
    if (max === null) {
      max = 0;
      history.forEach(function (p) { services.forEach(function (s) { if (p[key][s] > max) max = p[key][s]; }); });
      max = max > 0 ? max * 1.15 : 1;
    }
    var nodes = [];
    for (var g = 0; g <= 4; g++) {
      var y = T + (H - T - B) * (1 - g / 4);
      nodes.push(svgEl('line', { x1: L, x2: W - 4, y1: y, y2: y, class: 'grid' }));
      var label = svgEl('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' });
      label.textContent = format(max * g / 4);
      nodes.push(label);
    }
    var xOf = function (i) { return L + (W - L - 8) * (i / (HISTORY - 1)); };
    var yOf = function (v) { return T + (H - T - B) * (1 - Math.min(v, max) / max); };
    var offset = HISTORY - history.length;
    services.forEach(function (s) {
      var points = [];
      history.forEach(function (p, i) {
        if (p[key][s] === undefined) return;
        var x = xOf(offset + i).toFixed(1), y = yOf(p[key][s]).toFixed(1);
        points.push(x + ',' + y);
        nodes.push(svgEl('circle', { cx: x, cy: y, r: 2.5, fill: COLORS[s], 'data-service': s }));
      });
      if (points.length > 1) nodes.push(svgEl('polyline', { points: points.join(' '), stroke: COLORS[s], 'data-service': s }));
    });
    replace(svg, nodes);
    replace(legend, services.map(function (s) {
      var item = el('span');
      var swatch = el('span', { class: 'swatch' });
      swatch.style.background = COLORS[s];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(s));
      return item;
    }));
  }

  function renderWarnings(report) {
    var items = report.warnings.map(function (w) { return el('li', { class: w.level, 'data-code': w.code }, w.level.toUpperCase() + ': ' + w.message); });
    if (!items.length) items = [el('li', { class: 'none' }, 'No warnings: hit ratios, memory, evictions and replicas look healthy.')];
    replace($('warning-list'), items);
  }

  function renderServices(report) {
    replace($('service-cards'), report.services.map(function (s) {
      var card = el('div', { class: 'card ' + (s.up ? level(s.hitRatio) : 'crit'), 'data-service': s.service });
      card.appendChild(el('h3', {}, s.service + (s.up ? '' : ' (unreachable)')));
      card.appendChild(el('div', { class: 'big', 'data-figure': 'hit-ratio' }, s.up ? pct(s.hitRatio) : 'down'));
      var dl = el('dl');
      [['reads', num(s.reads.total)], ['fills', num(s.fills)], ['stale serves', num(s.staleServes)], ['p95 read', ms(s.readLatencyMs.p95) + ' ms'], ['db queries', num(s.dbQueries)]]
        .forEach(function (pair) { dl.appendChild(el('dt', {}, pair[0])); dl.appendChild(el('dd', {}, pair[1])); });
      card.appendChild(dl);
      return card;
    }));
    var rows = [];
    report.services.forEach(function (s) {
      s.namespaces.forEach(function (n) {
        rows.push(row([s.service, n.namespace, num(n.reads.total), pct(n.hitRatio), num(n.fills), num(n.staleServes), num(n.coalescedWaits), num(n.lockWaits), num(n.errors), ms(n.readLatencyMs.p50), ms(n.readLatencyMs.p95), ms(n.readLatencyMs.p99)],
          [null, null, null, level(n.hitRatio)]));
      });
    });
    replace($('namespace-rows'), rows.length ? rows : [row(['–', 'no cache reads yet'])]);
  }

  function renderRedis(report) {
    var status = $('redis-status');
    status.textContent = report.redis.up ? 'Redis up (' + report.redis.mode + ')' : 'Redis DOWN';
    status.className = 'pill ' + (report.redis.up ? 'ok' : 'crit');
    if (!report.redis.up) {
      replace($('redis-nodes'), [el('p', { class: 'muted', 'data-figure': 'redis-down' }, 'Redis is down: ' + (report.redis.error || 'no answer') + '. Reads fall through to Postgres.')]);
    } else {
      replace($('redis-nodes'), report.redis.nodes.map(function (n) {
        var box = el('div', { class: 'node' });
        box.appendChild(el('strong', {}, n.address + ' · ' + n.role));
        var meter = el('div', { class: 'meter' });
        var fill = el('span');
        fill.style.width = (n.maxmemoryBytes ? Math.min(100, 100 * n.usedMemoryBytes / n.maxmemoryBytes) : 0) + '%';
        meter.appendChild(fill);
        box.appendChild(meter);
        var dl = el('dl', { class: 'figures' });
        var hits = n.keyspaceHits + n.keyspaceMisses;
        [['memory', bytes(n.usedMemoryBytes) + ' of ' + bytes(n.maxmemoryBytes)], ['policy', n.maxmemoryPolicy], ['evicted keys', num(n.evictedKeys)],
         ['keyspace hit ratio', pct(hits ? n.keyspaceHits / hits : null)], ['clients', num(n.connectedClients) + ' / ' + num(n.maxclients)],
         ['replicas', n.replicas.length ? n.replicas.map(function (r) { return r.address + ' ' + r.state + ' lag ' + r.lagSeconds + ' s'; }).join(', ') : 'none']]
          .forEach(function (pair) { dl.appendChild(el('dt', {}, pair[0])); dl.appendChild(el('dd', {}, pair[1])); });
        box.appendChild(dl);
        return box;
      }));
    }
    replace($('stream-rows'), report.streams.length ? report.streams.map(function (s) {
      return row([s.key, s.kind, num(s.length), s.groups.map(function (g) { return g.name + ' ' + g.pending + ' / ' + (g.lag === null ? '?' : g.lag); }).join(', ') || '–']);
    }) : [row(['–', report.redis.up ? 'no streams yet' : 'Redis down'])]);
    var queues = [];
    report.services.forEach(function (s) { s.writeBehind.forEach(function (q) { queues.push(row([s.service, q.topic, num(q.pending), q.lagSeconds.toFixed(1)])); }); });
    replace($('write-behind-rows'), queues.length ? queues : [row(['–', 'no write-behind queues reported'])]);
  }

  async function pollCache() {
    try {
      var result = await getJson('/cache');
      if (result.status !== 200 || !result.body) throw new Error('/cache answered ' + result.status);
      var report = result.body;
      if (previous) { history.push(windowPoint(report)); if (history.length > HISTORY) history.shift(); }
      previous = report;
      renderWarnings(report);
      renderServices(report);
      renderRedis(report);
      drawChart($('hit-chart'), $('hit-legend'), 'hit', 1, function (v) { return Math.round(v * 100) + '%'; });
      drawChart($('latency-chart'), $('latency-legend'), 'p95', null, function (v) { return v.toFixed(v < 10 ? 1 : 0); });
      $('updated-at').textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (error) {
      $('updated-at').textContent = 'dashboard unreachable: ' + error.message;
    } finally {
      setTimeout(pollCache, POLL_MS);
    }
  }

  function figures(dl, pairs) {
    replace(dl, [].concat.apply([], pairs.map(function (pair) { return [el('dt', {}, pair[0]), el('dd', { 'data-figure': pair[2] }, pair[1])]; })));
  }

  async function pollStats() {
    try {
      var stats = await getJson('/stats');
      var badge = $('stats-cache');
      badge.textContent = 'X-Cache ' + (stats.headers.get('x-cache') || 'none');
      badge.className = 'pill ' + (stats.headers.get('x-cache') === 'MISS' ? 'warn' : 'ok');
      if (stats.status === 200 && stats.body) {
        var s = stats.body;
        figures($('stats'), [['users', num(s.totalUsers), 'total-users'], ['orders today', num(s.ordersToday), 'orders-today'],
          ['revenue month-to-date', '$' + (s.revenueMonthToDateCents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 }), 'revenue'],
          ['computed', new Date(s.computedAt).toLocaleTimeString() + ' in ' + s.computeMs + ' ms', 'computed-at']]);
        replace($('top-products'), s.topProducts.map(function (p) { return el('li', {}, p.name + ' (#' + p.productId + '): ' + num(p.unitsSold) + ' sold'); }));
      } else {
        figures($('stats'), [['stats', 'unavailable (' + stats.status + ')', 'stats-error']]);
      }
      var visitors = await getJson('/stats/visitors');
      if (visitors.status === 200 && visitors.body) {
        var v = visitors.body;
        var today = v.days[v.days.length - 1];
        figures($('visitors'), [['today', num(today.visitors), 'visitors-today'], ['last ' + v.days.length + ' days', num(v.window.visitors), 'visitors-window'],
          ['error', '±' + (v.relativeStandardError * 100).toFixed(2) + ' %', 'visitors-error']]);
        var max = Math.max.apply(null, v.days.map(function (d) { return d.visitors; }).concat([1]));
        replace($('visitor-days'), v.days.map(function (d) {
          var bar = el('div', { title: d.day + ': ' + d.visitors });
          bar.style.height = Math.max(2, 100 * d.visitors / max) + '%';
          bar.appendChild(el('span', {}, d.day.slice(5)));
          return bar;
        }));
      } else {
        figures($('visitors'), [['visitors', visitors.body && visitors.body.message ? visitors.body.message : 'unavailable', 'visitors-error']]);
        replace($('visitor-days'), []);
      }
    } catch (error) {
      figures($('stats'), [['stats', 'unreachable: ' + error.message, 'stats-error']]);
    } finally {
      setTimeout(pollStats, STATS_POLL_MS);
    }
  }

  function wirePlayground() {
    document.querySelectorAll('button[data-play]').forEach(function (button) {
      button.addEventListener('click', async function () {
        var buttons = document.querySelectorAll('button[data-play]');
        buttons.forEach(function (b) { b.disabled = true; });
        $('play-output').textContent = 'running ' + button.dataset.play + '…';
        try {
          var response = await fetch('/playground/' + button.dataset.play, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
          var text = await response.text();
          try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON: show as is */ }
          $('play-output').textContent = response.status + '\n' + text;
        } catch (error) {
          $('play-output').textContent = 'failed: ' + error.message;
        } finally {
          buttons.forEach(function (b) { b.disabled = false; });
        }
      });
    });
  }

  wirePlayground();
  pollCache();
  pollStats();
})();
`;
