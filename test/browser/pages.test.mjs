// Meridian's pages in headless chromium against three real federated regions (eu federates us
// and ap). Only the DOM hooks of dashboards/CONTRACT.md are used. Screenshots of every step go
// to MERIDIAN_ARTIFACTS. Run: test/browser/run.sh BUILD_DIR MERIDIAN_BINARY (ctest `browser`).
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';

import {artifactsDir, getJson, launchBrowser, REGIONS, startCluster, stats, waitFor, waitReady}
  from './harness.mjs';

const NOW = Math.floor(Date.now() / 1000);
const STEP = 10;     // the default schema's first archive (10s:6h)
const POINTS = 300;  // the last 50 minutes

// Deterministic values per series; `k` distinguishes series.
const value = (k, i) => Math.round((50 + 30 * Math.sin(i / 5 + k) + k * 7) * 1000) / 1000;

const WEB = `title: Web tier
description: CPU and latency per region.
time: { from: -1h, until: now }
variables:
  - name: region
    query: "*"
    default: [eu]
panels:
  - title: CPU
    targets: ["$region.web1.cpu", "$region.web2.cpu"]
    unit: percent
    width: 6
  - title: Latency
    targets: ["$region.web*.latency"]
    unit: ms
    width: 6
  - title: Requests in every region
    targets: ["sumSeries(*.web1.requests)"]
    legend: [last, min, max, avg, total]
    width: 12
`;

// Line 6 has a target that does not parse; line 7 a width out of range.
const BROKEN = `title: Broken board
panels:
  - title: fine
    targets: ["eu.web1.cpu"]
  - title: bad
    targets: ["sumSeries(eu.web1.cpu"]
    width: 99
`;

// ap's latency check goes CRITICAL on web9 (900 ms > 300 ms).
const RULES = `group: latency
interval: 1s
rules:
  - name: slow
    target: ap.web9.latency
    window: 1min
    reduce: last
    critical: "~:300"
    nagios: { host: "{node:1}", service: latency }
`;

const shots = artifactsDir();
async function shot(page, name) {
  await page.screenshot({path: path.join(shots, `${name}.png`), fullPage: true});
}

let cluster, browser;
// Every /render request the pages made, as URLSearchParams (reset per test).
let renders = [];

async function newPage(options = {}) {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}, ...options});
  const page = await context.newPage();
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/render') renders.push(u.searchParams);
  });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  return page;
}

before(async () => {
  cluster = await startCluster({dashboards: {'web.yaml': WEB, 'broken.yaml': BROKEN},
                                rules: {ap: RULES}});
  await Promise.all(REGIONS.map((r) => {
    const lines = [];
    for (let i = 0; i < POINTS; i++) {
      const ts = NOW - (POINTS - i) * STEP;
      lines.push(`${r}.web1.cpu ${value(1, i)} ${ts}`, `${r}.web2.cpu ${value(2, i)} ${ts}`,
                 `${r}.web1.latency ${value(3, i) * 2} ${ts}`, `${r}.web1.requests ${i} ${ts}`);
    }
    if (r === 'ap') lines.push(`ap.web9.latency 900 ${NOW - 30}`);
    return cluster.regions[r].ingest(lines);
  }));
  // The data and the alert are in before any page loads (the pages' own polling is tested below).
  await waitFor(async () => {
    const {data} = await getJson(cluster.self.url, '/api/overview');
    const ap = data.regions.find((x) => x.name === 'ap');
    return data.regions.length === 3 && data.regions.every((x) => x.up) && ap.alerts.CRITICAL === 1;
  }, {timeoutMs: 30000, what: 'three regions up and ap CRITICAL in /api/overview'});
  await waitFor(async () => {
    const {data} = await getJson(cluster.self.url,
                                 `/render?target=*.web1.cpu&from=-2h&format=json`);
    return data.length === 3 && data.every((s) => s.datapoints.filter((p) => p[0] != null).length === POINTS);
  }, {what: 'every point readable through the federation'});
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (cluster) await cluster.stop();
});

describe('pages', () => {
  test('overview shows three regions up and the CRITICAL alert with its region', async () => {
    const page = await newPage();
    await page.goto(`${cluster.self.url}/`);
    await waitReady(page);
    for (const r of REGIONS) {
      const card = page.locator(`[data-testid=region][data-region=${r}]`);
      assert.equal(await card.getAttribute('data-up'), 'true', `region ${r} up`);
      assert.equal(await card.locator('[data-testid=region-error]').count(), 0);
    }
    const crit = page.locator('[data-testid=region][data-region=ap] [data-testid=alert-count][data-state=CRITICAL]');
    assert.equal((await crit.textContent()).trim(), '1');
    for (const r of ['eu', 'us']) {
      const c = page.locator(`[data-testid=region][data-region=${r}] [data-testid=alert-count][data-state=CRITICAL]`);
      if (await c.count()) assert.equal((await c.textContent()).trim(), '0');
    }
    const problems = page.locator('[data-testid=problem]');
    assert.equal(await problems.count(), 1,
                 (await problems.evaluateAll((ps) => ps.map((p) => p.outerHTML))).join('\n'));
    assert.equal(await problems.first().getAttribute('data-region'), 'ap');
    assert.equal(await problems.first().getAttribute('data-state'), 'CRITICAL');
    const text = await problems.first().textContent();
    assert.match(text, /web9/);
    assert.match(text, /latency/);
    assert.match(text, /for \d+\s*[smhd]/, `problem row names how long: ${text}`);
    await shot(page, '01-overview');
    await page.context().close();
  });

  test('dashboard draws every panel: canvas pixels and legend values equal /render', async () => {
    renders = [];
    const page = await newPage();
    const from = NOW - 3600, until = NOW;
    await page.goto(`${cluster.self.url}/dashboards/web?from=${from}&until=${until}`);
    await waitReady(page);
    const panels = page.locator('[data-testid=panel]');
    assert.equal(await panels.count(), 3);
    assert.equal(renders.length, 3, 'one /render per panel');
    for (let i = 0; i < 3; i++) {
      const panel = page.locator(`[data-testid=panel][data-panel="${i}"]`);
      assert.equal(await panel.getAttribute('data-state'), 'drawn', `panel ${i} drawn`);
      // The panel's own request (its targets in order) answered again by /render directly.
      const params = renders.find((p) => p.getAll('target').join() ===
                                         (i === 0 ? 'eu.web1.cpu,eu.web2.cpu' : i === 1 ? 'eu.web*.latency' : 'sumSeries(*.web1.requests)'));
      assert.ok(params, `panel ${i}'s /render request seen`);
      assert.equal(params.get('from'), String(from));
      assert.equal(params.get('until'), String(until));
      assert.ok(Number(params.get('maxDataPoints')) >= 100, 'maxDataPoints = the plot width');
      const {data: series} = await getJson(cluster.self.url, `/render?${params}`);
      assert.ok(series.length >= 1);
      const rows = panel.locator('[data-testid=legend-row]');
      assert.equal(await rows.count(), series.length, `panel ${i}: a legend row per series`);
      for (const s of series) {
        const row = panel.locator(`[data-testid=legend-row][data-series="${s.target}"]`);
        assert.equal(await row.count(), 1, `legend row for ${s.target}`);
        const want = stats(s.datapoints);
        assert.ok(s.datapoints.some((p) => p[0] == null), 'the window has nulls (ignored by stats)');
        for (const cell of await row.locator('[data-stat]').all()) {
          const k = await cell.getAttribute('data-stat');
          const got = Number(await cell.getAttribute('title'));
          assert.ok(Math.abs(got - want[k]) <= 1e-9 * Math.max(1, Math.abs(want[k])),
                    `panel ${i} ${s.target} ${k}: legend ${got}, /render ${want[k]}`);
        }
      }
      // Real pixels: the canvas holds pixels of the first series' colour (its legend swatch).
      const drawn = await panel.evaluate((el) => {
        const swatch = getComputedStyle(el.querySelector('[data-testid=legend-row] .swatch')).backgroundColor;
        const [r, g, b] = swatch.match(/\d+/g).map(Number);
        const canvas = el.querySelector('canvas');
        const img = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let near = 0;
        for (let p = 0; p < img.length; p += 4) {
          if (img[p + 3] > 128 && Math.abs(img[p] - r) + Math.abs(img[p + 1] - g) + Math.abs(img[p + 2] - b) < 40) near++;
        }
        return {near, w: canvas.width, h: canvas.height, swatch};
      });
      assert.ok(drawn.near >= 50, `panel ${i}: ${drawn.near} pixels of ${drawn.swatch} on a ` +
                                  `${drawn.w}x${drawn.h} canvas`);
    }
    // Clicking a legend row isolates its series.
    const first = page.locator('[data-testid=panel][data-panel="0"] [data-testid=legend-row]');
    await first.first().click();
    assert.equal(await first.nth(0).getAttribute('data-isolated'), 'true');
    assert.equal(await first.nth(1).getAttribute('data-hidden'), 'true');
    await shot(page, '02-dashboard-drawn');
    await page.context().close();
  });

  test('changing the range or a variable re-queries /render', async () => {
    const page = await newPage();
    await page.goto(`${cluster.self.url}/dashboards/web`);
    await waitReady(page);
    renders = [];
    await page.click('[data-testid=range-preset][data-range="-6h"]');
    await waitFor(() => renders.length >= 3 && renders.every((p) => p.get('from') === '-6h' && p.get('until') === 'now'),
                  {what: '/render with from=-6h for every panel'});
    await waitReady(page);
    assert.match(page.url(), /from=-6h/);

    renders = [];
    await page.fill('[data-testid=range-from]', '-2h');
    await page.fill('[data-testid=range-until]', '-5min');
    await page.click('[data-testid=range-apply]');
    await waitFor(() => renders.length >= 3 && renders.every((p) => p.get('from') === '-2h' && p.get('until') === '-5min'),
                  {what: '/render with from=-2h until=-5min for every panel'});
    await waitReady(page);
    assert.match(page.url(), /until=-5min/);

    renders = [];
    const select = page.locator('select[data-testid=variable][data-var=region]');
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
    // `*` also lists `meridian` (the instances' self-metrics) once their first interval (10 s) has
    // passed: whether it has depends on how long the run took so far.
    assert.deepEqual([...options].filter((o) => o !== 'meridian').sort(), ['ap', 'eu', 'us'],
                     'region options from the federated find');
    await select.selectOption('us');
    await waitFor(() => renders.some((p) => p.getAll('target').join() === 'us.web1.cpu,us.web2.cpu'),
                  {what: '/render for us.web1.cpu after selecting region=us'});
    await waitReady(page);
    assert.ok(!renders.some((p) => p.getAll('target').some((t) => t.startsWith('eu.'))));
    assert.match(page.url(), /var-region=us/);
    const rows = page.locator('[data-testid=panel][data-panel="0"] [data-testid=legend-row]');
    assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.dataset.series)),
                     ['us.web1.cpu', 'us.web2.cpu']);
    await shot(page, '03-range-and-variable');
    await page.context().close();
  });

  test('auto-refresh shows a point ingested after the page loaded', async () => {
    const page = await newPage();
    await page.goto(`${cluster.self.url}/dashboards/web?from=-1h&until=now`);
    await waitReady(page);
    const last = page.locator('[data-testid=panel][data-panel="0"] [data-testid=legend-row][data-series="eu.web1.cpu"] [data-stat=last]');
    const before = await last.getAttribute('title');
    assert.equal(Number(before), value(1, POINTS - 1));
    await page.selectOption('select[data-testid=refresh]', '5s');
    assert.match(page.url(), /refresh=5s/);
    const refreshes = Number(await page.evaluate(() => document.body.dataset.refreshes));
    await cluster.regions.eu.ingest([`eu.web1.cpu 4242.5 ${Math.floor(Date.now() / 1000)}`]);
    // No click: only the 5 s timer can redraw.
    await waitFor(async () => (await last.getAttribute('title')) === '4242.5',
                  {timeoutMs: 20000, what: 'legend last = 4242.5 after an auto-refresh'});
    // Panel 0's legend can show the point before the other panels have drawn: the complete
    // redraw (dataset.refreshes) is counted when the last one has.
    await waitFor(async () => Number(await page.evaluate(() => document.body.dataset.refreshes)) > refreshes,
                  {timeoutMs: 20000, what: 'the auto-refresh counted as a complete redraw'});
    await shot(page, '04-auto-refresh');
    await page.context().close();
  });

  test('a broken file shows its file:line errors; the other dashboards still draw', async () => {
    const {data: api} = await getJson(cluster.self.url, '/api/dashboards/broken');
    assert.ok(api.errors.length >= 1, JSON.stringify(api));
    const page = await newPage();
    await page.goto(`${cluster.self.url}/dashboards/`);
    await waitReady(page);
    await page.locator('[data-testid=dashboard-link][data-uid=web]').waitFor();
    assert.equal(await page.locator('[data-testid=dashboard-link][data-uid=broken]').count(), 1);
    assert.ok((await page.locator('[data-testid=dashboard-errors]').count()) >= 1);
    await shot(page, '05-list-with-broken');

    await page.goto(`${cluster.self.url}/dashboards/broken`);
    await waitReady(page);
    const shown = await page.locator('[data-testid=dashboard-errors]').textContent();
    for (const e of api.errors) {
      assert.ok(shown.includes(`${e.file}:${e.line}: ${e.message}`),
                `"${e.file}:${e.line}: ${e.message}" on the page: ${shown}`);
    }
    assert.ok(api.errors.some((e) => e.line === 6), `the bad target's line 6: ${JSON.stringify(api.errors)}`);
    assert.equal(await page.locator('[data-testid=panel]').count(), 0);
    await shot(page, '06-broken-dashboard');

    await page.goto(`${cluster.self.url}/dashboards/web`);
    await waitReady(page);
    assert.equal(await page.locator('[data-testid=panel][data-state=drawn]').count(), 3);
    await page.context().close();
  });

  test('phone viewport stacks the panels; the dark theme toggles', async () => {
    const page = await newPage({viewport: {width: 390, height: 844}, isMobile: true, hasTouch: true});
    await page.goto(`${cluster.self.url}/dashboards/web`);
    await waitReady(page);
    const boxes = await page.locator('[data-testid=panel]').evaluateAll((ps) => ps.map((p) => {
      const r = p.getBoundingClientRect();
      return {x: r.x, y: r.y, w: r.width, h: r.height};
    }));
    const docWidth = await page.evaluate(() => document.documentElement.clientWidth);
    assert.equal(boxes.length, 3);
    for (const [i, b] of boxes.entries()) {
      assert.ok(b.w >= docWidth * 0.85 && b.x + b.w <= docWidth + 1,
                `panel ${i} full width on a ${docWidth}px screen: ${JSON.stringify(b)}`);
      assert.ok(Math.abs(b.x - boxes[0].x) < 1, `panel ${i} aligned`);
      if (i > 0) assert.ok(b.y >= boxes[i - 1].y + boxes[i - 1].h - 1, `panel ${i} below panel ${i - 1}`);
    }
    await shot(page, '07-phone-light');
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const luminance = (c) => {
      const [r, g, b] = c.match(/\d+/g).map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const light = luminance(await bg());
    const refreshes = Number(await page.evaluate(() => document.body.dataset.refreshes));
    await page.click('#theme-toggle');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await waitFor(async () => luminance(await bg()) < 0.3, {what: 'a dark background'});
    assert.ok(light > 0.7, `light background before the toggle (${light})`);
    await waitReady(page, {refreshes: refreshes + 1});
    await shot(page, '08-phone-dark');
    await page.context().close();
  });

  // Last: it takes a region away.
  test('a killed region is named by the partial banner', async () => {
    const page = await newPage();
    await page.goto(`${cluster.self.url}/dashboards/web`);
    await waitReady(page);
    assert.equal(await page.locator('[data-testid=partial-banner]').count(), 0, 'no banner with every region up');
    cluster.regions.us.signal('SIGKILL');
    await cluster.regions.us.exitPromise;
    const refreshes = Number(await page.evaluate(() => document.body.dataset.refreshes));
    await page.click('[data-testid=refresh-now]');
    await waitReady(page, {refreshes: refreshes + 1});
    const banner = page.locator('[data-testid=partial-banner]');
    await banner.waitFor({state: 'visible', timeout: 10000});
    const text = await banner.textContent();
    assert.match(text, /\bus\b/, `banner names us: ${text}`);
    assert.doesNotMatch(text, /\b(eu|ap)\b/, `banner names only us: ${text}`);
    // Panel 2 sums every region: still drawn from eu and ap.
    assert.equal(await page.locator('[data-testid=panel][data-panel="2"]').getAttribute('data-state'), 'drawn');
    await shot(page, '09-region-killed-banner');

    await page.goto(`${cluster.self.url}/`);
    await page.locator('[data-testid=region][data-region=us][data-up=false]').waitFor({timeout: 15000});
    assert.ok((await page.locator('[data-testid=region][data-region=us] [data-testid=region-error]').textContent()).length > 0);
    await shot(page, '10-overview-region-down');
    await page.context().close();
  });
});
