// Dashboard benchmark: a 12-panel dashboard over 3 federated regions (eu federates us and ap),
// 50 series per panel, a 24 h window at 1-minute resolution, in headless chromium. Reports
// medians; never asserts. Usage (see README.md):
//   MERIDIAN_BINARY=build/app/meridian MERIDIAN_NODE_MODULES=build/browser_tests/node_modules \
//     node bench/dashboard_bench/bench.mjs [--quick]
import http from 'node:http';
import zlib from 'node:zlib';

import {getJson, launchBrowser, REGIONS, startCluster, waitFor, waitReady}
  from '../../test/browser/harness.mjs';

const quick = process.argv.includes('--quick');
const PANELS = 12;
const SERIES = 50;                 // per panel
const STEP = 60;                   // the default schema keeps 1-minute points for 7 days
const HOURS = 24;
const REFRESHES_FOR_HEAP = quick ? 40 : 240;  // 240 = two hours of 30 s refreshes
const COLD_RUNS = quick ? 3 : 7, WARM_RUNS = quick ? 3 : 7, REFRESH_RUNS = quick ? 10 : 30;
const FEDERATION_TIMEOUT = '5s';   // the product default

// Panel p's 50 series live in region REGIONS[p % 3] (4 panels per region); seeded values.
function panelRegion(p) { return REGIONS[p % 3]; }
function dashboardYaml() {
  let y = 'title: Bench\nrefresh: 30s\ntime: { from: -24h, until: now }\npanels:\n';
  for (let p = 0; p < PANELS; p++) {
    y += `  - title: Panel ${p} (${panelRegion(p)})\n    targets: ["${panelRegion(p)}.bench.p${p}.*"]\n` +
         `    unit: short\n    width: 4\n    height: 8\n`;
  }
  return y;
}

let seed = 12345;
function rand() {  // LCG: the same data every run
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

async function ingestAll(cluster, now) {
  const start = now - HOURS * 3600;
  for (const r of REGIONS) {
    const lines = [];
    for (let p = 0; p < PANELS; p++) {
      if (panelRegion(p) !== r) continue;
      for (let s = 0; s < SERIES; s++) {
        let v = 100 * rand();
        for (let t = start - (start % STEP); t <= now; t += STEP) {
          v = Math.max(0, v + (rand() - 0.5) * 5);
          lines.push(`${r}.bench.p${p}.s${String(s).padStart(2, '0')} ${v.toFixed(3)} ${t}`);
        }
      }
    }
    // A few connections' worth at a time keeps memory bounded.
    for (let i = 0; i < lines.length; i += 100000) {
      await cluster.regions[r].ingest(lines.slice(i, i + 100000));
    }
  }
  await waitFor(async () => {
    const {data} = await getJson(cluster.self.url, `/render?target=*.bench.*.*&from=-${HOURS}h&format=json&maxDataPoints=10`);
    return data.length === PANELS * SERIES;
  }, {timeoutMs: 120000, everyMs: 500, what: 'every series readable'});
}

const median = (xs) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Bytes on the wire (gzip) of the shell and every asset it names.
async function shellSize(base) {
  const get = (path) => new Promise((resolve, reject) => {
    http.get(base + path, {headers: {'Accept-Encoding': 'gzip'}}, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({enc: res.headers['content-encoding'] || '', body: Buffer.concat(chunks)}));
    }).on('error', reject);
  });
  const shell = await get('/dashboards/bench');
  const html = (shell.enc === 'gzip' ? zlib.gunzipSync(shell.body) : shell.body).toString();
  const assets = [...html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (importMap) for (const v of Object.values(JSON.parse(importMap[1]).imports || {})) assets.push(v);
  let gz = shell.enc === 'gzip' ? shell.body.length : zlib.gzipSync(shell.body).length;
  let raw = html.length;
  const uniq = [...new Set(assets)].filter((a) => /\.(js|css|html)$/.test(a));
  for (const a of uniq) {
    const r = await get(a);
    const plain = r.enc === 'gzip' ? zlib.gunzipSync(r.body) : r.body;
    gz += r.enc === 'gzip' ? r.body.length : zlib.gzipSync(r.body).length;
    raw += plain.length;
  }
  return {files: uniq.length + 1, gz, raw};
}

// Records when each panel drew and when the partial banner appeared (performance.now()).
const OBSERVE = () => {
  window.__drawn = {};
  window.__bannerAt = null;
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('[data-testid=panel][data-state=drawn]')) {
      if (!(el.dataset.panel in window.__drawn)) window.__drawn[el.dataset.panel] = performance.now();
    }
    if (window.__bannerAt === null && document.querySelector('[data-testid=partial-banner]')) {
      window.__bannerAt = performance.now();
    }
  }).observe(document, {subtree: true, childList: true, attributes: true});
};

async function readyMark(page) {
  return page.evaluate(() => performance.getEntriesByName('meridian-ready')[0].startTime);
}

// One navigation: time of the ready mark (ms after navigation start).
async function load(page, url) {
  await page.goto(url);
  await waitReady(page, {timeoutMs: 60000});
  return readyMark(page);
}

// Clicks refresh-now and waits for dataset.refreshes to move; returns ms (in-page clock).
async function refreshOnce(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const before = Number(document.body.dataset.refreshes);
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (Number(document.body.dataset.refreshes) > before && document.body.dataset.ready === '1') {
        obs.disconnect();
        resolve(performance.now() - t0);
      }
    });
    obs.observe(document.body, {attributes: true});
    document.querySelector('[data-testid=refresh-now]').click();
  }));
}

// Requests, encoded bytes (what came over the wire: gzip/br when the server compressed) and
// decoded bytes per refresh, from the DevTools protocol's Network events.
async function networkPerRefresh(page, cdp, runs) {
  const reqs = new Map();
  let finished = [];
  cdp.on('Network.requestWillBeSent', (e) => reqs.set(e.requestId, {url: e.request.url, decoded: 0}));
  cdp.on('Network.responseReceived', (e) => {
    const r = reqs.get(e.requestId);
    const t = e.response.timing;
    if (r && t) r.ttfb = t.receiveHeadersStart > 0 ? t.receiveHeadersStart - t.sendEnd : t.receiveHeadersEnd - t.sendEnd;
  });
  cdp.on('Network.dataReceived', (e) => { const r = reqs.get(e.requestId); if (r) r.decoded += e.dataLength; });
  cdp.on('Network.loadingFinished', (e) => {
    const r = reqs.get(e.requestId);
    if (r) finished.push({...r, encoded: e.encodedDataLength});
  });
  await cdp.send('Network.enable');
  const out = [];
  for (let i = 0; i < runs; i++) {
    finished = [];
    await refreshOnce(page);
    await waitFor(() => finished.filter((f) => new URL(f.url).pathname === '/render').length >= PANELS,
                  {timeoutMs: 10000, what: 'every /render finished'});
    out.push({requests: finished.length, encoded: finished.reduce((a, f) => a + f.encoded, 0),
              decoded: finished.reduce((a, f) => a + f.decoded, 0),
              renders: finished.filter((f) => new URL(f.url).pathname === '/render').length,
              ttfb: median(finished.filter((f) => new URL(f.url).pathname === '/render' && f.ttfb != null).map((f) => f.ttfb))});
  }
  await cdp.send('Network.disable');
  return out;
}

async function heapUsed(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

async function scenario(browser, base, viewport, label, rows) {
  const url = `${base}/dashboards/bench`;
  const cold = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const ctx = await browser.newContext({viewport});
    const page = await ctx.newPage();
    cold.push(await load(page, url));
    await ctx.close();
  }
  const ctx = await browser.newContext({viewport});
  const page = await ctx.newPage();
  await load(page, url);
  const warm = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push(await load(page, url));
  const drawnPanels = await page.locator('[data-testid=panel][data-state=drawn]').count();
  const legendRows = await page.locator('[data-testid=legend-row]').count();
  const refresh = [];
  for (let i = 0; i < REFRESH_RUNS; i++) refresh.push(await refreshOnce(page));
  const cdp = await ctx.newCDPSession(page);
  const net = await networkPerRefresh(page, cdp, 5);
  const heap0 = await heapUsed(cdp);
  const t0 = Date.now();
  for (let i = 0; i < REFRESHES_FOR_HEAP; i++) await refreshOnce(page);
  const heapSeconds = (Date.now() - t0) / 1000;
  const heap1 = await heapUsed(cdp);
  await page.screenshot({path: `${process.env.MERIDIAN_ARTIFACTS || '/tmp'}/bench-${label}.png`});
  await ctx.close();
  rows.push([label, 'panels drawn / legend rows', `${drawnPanels} / ${legendRows}`, `${PANELS} / ${PANELS * SERIES}`]);
  rows.push([label, 'every panel drawn, cold (ms, median)', median(cold).toFixed(0), '≤ 1000']);
  rows.push([label, 'every panel drawn, warm (ms, median)', median(warm).toFixed(0), '≤ 1000']);
  rows.push([label, 'refresh (ms, median)', median(refresh).toFixed(0), '≤ 300']);
  rows.push([label, 'requests per refresh (/render)',
             `${median(net.map((n) => n.requests))} (${median(net.map((n) => n.renders))})`, '']);
  rows.push([label, 'bytes per refresh on the wire (KB)', (median(net.map((n) => n.encoded)) / 1024).toFixed(1), '≤ 150 gz']);
  rows.push([label, 'server time per /render (ms to first byte, median)', median(net.map((n) => n.ttfb)).toFixed(0), '']);
  rows.push([label, 'bytes per refresh decoded (KB)', (median(net.map((n) => n.decoded)) / 1024).toFixed(1), '']);
  rows.push([label, `JS heap growth over ${REFRESHES_FOR_HEAP} refreshes (MB)`,
             `${((heap1 - heap0) / 1048576).toFixed(2)} (${(heap0 / 1048576).toFixed(1)} → ${(heap1 / 1048576).toFixed(1)}; ${heapSeconds.toFixed(0)} s)`, '≤ 10']);
}

async function slowPeer(browser, cluster, rows) {
  const base = cluster.self.url;
  const victim = cluster.regions.ap;
  victim.signal('SIGSTOP');
  try {
    const ready = [], banner = [], othersDrawn = [];
    for (let i = 0; i < (quick ? 2 : 3); i++) {
      const ctx = await browser.newContext({viewport: {width: 1280, height: 900}});
      await ctx.addInitScript(OBSERVE);
      const page = await ctx.newPage();
      ready.push(await load(page, `${base}/dashboards/bench`));
      const r = await page.evaluate(() => ({bannerAt: window.__bannerAt, drawn: window.__drawn,
        stages: performance.getEntriesByType('resource')
          .filter((e) => /\/(api|render|events)/.test(e.name))
          .map((e) => ({path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd}))}));
      if (i === 0) {
        // Where the time goes: each API request's start and end (ms after navigation start).
        const by = {};
        for (const st of r.stages) {
          const b = by[st.path] ||= {n: 0, start: Infinity, end: 0};
          b.n++;
          b.start = Math.min(b.start, st.start);
          b.end = Math.max(b.end, st.end);
        }
        for (const [p, b] of Object.entries(by)) {
          rows.push(['ap SIGSTOPped', `  ${p} x${b.n} (ms from..to)`, `${b.start.toFixed(0)}..${b.end.toFixed(0)}`, '']);
        }
      }
      banner.push(r.bannerAt ?? NaN);
      // Panels of eu and us (the regions that answer).
      const others = Object.entries(r.drawn).filter(([p]) => panelRegion(Number(p)) !== 'ap').map(([, t]) => t);
      othersDrawn.push(others.length ? Math.max(...others) : NaN);
      const text = await page.locator('[data-testid=partial-banner]').textContent().catch(() => '(none)');
      if (i === 0) rows.push(['ap SIGSTOPped', 'banner text', text.slice(0, 60), 'names ap']);
      await page.screenshot({path: `${process.env.MERIDIAN_ARTIFACTS || '/tmp'}/bench-slow-peer.png`});
      await ctx.close();
    }
    const each = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
    rows.push(['ap SIGSTOPped', 'every panel drawn, cold (ms, each run)', each(ready), `federation.timeout ${FEDERATION_TIMEOUT}`]);
    rows.push(['ap SIGSTOPped', 'eu+us panels drawn (ms, each run)', each(othersDrawn), '≤ 1000']);
    rows.push(['ap SIGSTOPped', 'banner shown (ms, each run)', each(banner), `≤ ${FEDERATION_TIMEOUT}`]);
    rows.push(['ap SIGSTOPped', 'every panel drawn, cold (ms, median)', median(ready).toFixed(0), `federation.timeout ${FEDERATION_TIMEOUT}`]);
    rows.push(['ap SIGSTOPped', 'eu+us panels drawn (ms, median)', median(othersDrawn).toFixed(0), '≤ 1000']);
    rows.push(['ap SIGSTOPped', 'banner shown (ms, median)', median(banner).toFixed(0), `≤ ${FEDERATION_TIMEOUT}`]);
  } finally {
    victim.signal('SIGCONT');
  }
}

function printTable(rows) {
  const head = ['scenario', 'measure', 'result', 'target'];
  const all = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(w[i])).join(' | ');
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
  for (const r of rows) console.log(line(r.map(String)));
}

async function main() {
  const t0 = Date.now();
  // The bench series arrive every minute, so they get a 1-minute first archive, as a carbon user
  // sets storage-schemas to the collector's interval: under the default 10s:6h one point in six
  // slots is below xFilesFactor 0.5 and the 1-minute rollup of the last 6 h is null — in
  // whisper as here.
  const storage = String.raw`storage:
  schemas:
    - { pattern: '^meridian\.', retentions: "10s:1d,1m:30d" }
    - { pattern: '\.bench\.', retentions: "1m:7d,10m:5y" }
    - { pattern: ".*", retentions: "10s:6h,1m:7d,10m:5y" }
`;
  const cluster = await startCluster({dashboards: {'bench.yaml': dashboardYaml()},
                                      federationTimeout: FEDERATION_TIMEOUT, extraConfig: storage});
  let browser;
  const rows = [];
  try {
    const now = Math.floor(Date.now() / 1000);
    await ingestAll(cluster, now);
    console.log(`ingested ${REGIONS.length} regions, ${PANELS * SERIES} series x ${HOURS * 3600 / STEP + 1} points ` +
                `in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const shell = await shellSize(cluster.self.url);
    rows.push(['-', `page shell (${shell.files} files: HTML+JS+CSS, uPlot) gzip KB`, (shell.gz / 1024).toFixed(1), '≤ 60']);
    rows.push(['-', 'page shell uncompressed KB', (shell.raw / 1024).toFixed(1), '']);
    browser = await launchBrowser();
    rows.push(['-', 'chromium', browser.version(), '']);
    const only = process.env.BENCH_ONLY || '';  // desktop | phone | slow: one part (debugging)
    const part = async (name, fn) => {
      if (only && only !== name) return;
      if (cluster.self.exited) throw new Error(`eu exited: ${cluster.self.logTail()}`);
      await fn();
    };
    await part('desktop', () => scenario(browser, cluster.self.url, {width: 1280, height: 900}, 'desktop 1280x900', rows));
    await part('phone', () => scenario(browser, cluster.self.url, {width: 390, height: 844}, 'phone 390x844', rows));
    await part('slow', () => slowPeer(browser, cluster, rows));
  } catch (e) {
    printTable(rows);
    for (const r of Object.values(cluster.regions)) {
      if (r.exited) console.error(`${r.name} exited ${JSON.stringify(r.exited)}:\n${r.logTail()}`);
    }
    throw e;
  } finally {
    if (browser) await browser.close();
    await cluster.stop();
  }
  printTable(rows);
  console.log(`\n(${quick ? 'quick run; ' : ''}medians; ${COLD_RUNS} cold, ${WARM_RUNS} warm, ${REFRESH_RUNS} refreshes; ` +
              `total ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
