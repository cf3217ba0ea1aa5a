/** The page's markup; figures are filled in by `/assets/dashboard.js` from `/cache`, `/stats` and `/stats/visitors`. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Cache dashboard</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/dashboard.css">
  <script src="/assets/dashboard.js" defer></script>
</head>
<body>
  <header>
    <h1>Redis cache dashboard</h1>
    <span id="redis-status" class="pill">connecting…</span>
    <span id="updated-at" class="muted"></span>
  </header>

  <main>
    <section id="warnings" aria-live="polite"><h2>Warnings</h2><ul id="warning-list"><li class="muted">loading…</li></ul></section>

    <section><h2>Hit ratio by service</h2><div id="service-cards" class="cards"></div></section>

    <section class="charts">
      <figure><figcaption>Hit ratio, per poll window</figcaption><svg id="hit-chart" viewBox="0 0 600 200" role="img" aria-label="hit ratio over time"></svg><div id="hit-legend" class="legend"></div></figure>
      <figure><figcaption>Read latency p95 (ms), per poll window</figcaption><svg id="latency-chart" viewBox="0 0 600 200" role="img" aria-label="read latency over time"></svg><div id="latency-legend" class="legend"></div></figure>
    </section>

    <section><h2>Namespaces</h2>
      <table><thead><tr><th>service</th><th>namespace</th><th>reads</th><th>hit ratio</th><th>fills</th><th>stale</th><th>coalesced</th><th>lock waits</th><th>errors</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr></thead>
      <tbody id="namespace-rows"></tbody></table>
    </section>

    <section class="split">
      <div><h2>Redis</h2><div id="redis-nodes"></div></div>
      <div><h2>Streams</h2>
        <table><thead><tr><th>stream</th><th>kind</th><th>length</th><th>groups (pending / lag)</th></tr></thead><tbody id="stream-rows"></tbody></table>
        <h3>Write-behind</h3><table><thead><tr><th>service</th><th>topic</th><th>pending</th><th>lag s</th></tr></thead><tbody id="write-behind-rows"></tbody></table>
      </div>
    </section>

    <section class="split">
      <div><h2>Business figures <span id="stats-cache" class="pill"></span></h2><dl id="stats" class="figures"></dl><ol id="top-products"></ol></div>
      <div><h2>Unique visitors (HyperLogLog)</h2><dl id="visitors" class="figures"></dl><div id="visitor-days" class="bars"></div></div>
    </section>

    <section><h2>Playground</h2>
      <p class="muted">Bounded experiments against catalog; one at a time.</p>
      <div class="buttons">
        <button data-play="stampede">Stampede: 200 concurrent reads of product 1</button>
        <button data-play="write-behind">Write-behind: 500 views of product 1</button>
        <button data-play="price-change">Raw SQL price change of product 1</button>
      </div>
      <pre id="play-output" class="muted">results appear here</pre>
    </section>
  </main>
</body>
</html>
`;
