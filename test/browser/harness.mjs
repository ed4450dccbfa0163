// Real `meridian serve` processes on loopback for the browser tests and the dashboard benchmark:
// three regions (eu federates us and ap as role `region`), dashboards and alert rules from temp
// dirs, Graphite plaintext ingest over TCP, headless chromium through playwright-core.
//
// Environment:
//   MERIDIAN_BINARY          the `meridian` binary (required)
//   MERIDIAN_NODE_MODULES    node_modules holding playwright-core (run.sh installs it in the
//                            build dir; default: ./node_modules next to this file)
//   MERIDIAN_CHROMIUM        the browser (default /usr/bin/chromium)
//   MERIDIAN_ARTIFACTS       where screenshots go (default build/test-artifacts/browser/)
//
// Nothing here sleeps to synchronise: every wait polls a condition with a deadline.
import {spawn} from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const REGIONS = ['eu', 'us', 'ap'];

// Polls `cond` (sync or async; a truthy answer ends the wait and is returned) every `everyMs`
// until `timeoutMs`; then throws naming `what` and the last error the condition threw.
export async function waitFor(cond, {timeoutMs = 15000, everyMs = 50, what = 'condition'} = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` +
                      (lastError ? ` (last error: ${lastError.message})` : ''));
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// A loopback port free for TCP and UDP at the time of the probe (the Graphite listener binds
// both). A race with another process remains: startInstance retries with fresh ports.
async function freePort({udp = false} = {}) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    if (!udp) return port;
    const ok = await new Promise((resolve) => {
      const d = dgram.createSocket('udp4');
      d.once('error', () => resolve(false));
      d.bind(port, '127.0.0.1', () => d.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free loopback port');
}

export function binary() {
  const b = process.env.MERIDIAN_BINARY;
  if (!b) throw new Error('MERIDIAN_BINARY is not set (the meridian binary to test)');
  if (!fs.existsSync(b)) throw new Error(`MERIDIAN_BINARY=${b}: no such file`);
  return b;
}

export function artifactsDir(sub = '') {
  const base = process.env.MERIDIAN_ARTIFACTS ||
               path.resolve(here, '..', '..', 'build', 'test-artifacts', 'browser');
  const dir = sub ? path.join(base, sub) : base;
  fs.mkdirSync(dir, {recursive: true});
  return dir;
}

export async function httpGet(baseUrl, pathAndQuery, {timeoutMs = 5000, headers = {}} = {}) {
  const res = await fetch(baseUrl + pathAndQuery, {headers, signal: AbortSignal.timeout(timeoutMs)});
  const body = await res.text();
  return {status: res.status, headers: res.headers, body};
}

export async function getJson(baseUrl, pathAndQuery) {
  const r = await httpGet(baseUrl, pathAndQuery);
  if (r.status !== 200) throw new Error(`GET ${pathAndQuery}: ${r.status} ${r.body.slice(0, 200)}`);
  return {data: JSON.parse(r.body), partial: r.headers.get('x-meridian-partial') || ''};
}

// One `meridian serve` process. `config` is the YAML body (without listen addresses: those go
// on the command line). The process's output is kept in <dir>/meridian.log.
export class Instance {
  constructor(name, dir) {
    this.name = name;
    this.dir = dir;
    this.dataDir = path.join(dir, 'data');
    this.logPath = path.join(dir, 'meridian.log');
    this.proc = null;
    this.exited = null;  // {code, signal} once the process has exited
  }

  get url() { return `http://127.0.0.1:${this.httpPort}`; }

  async start(config, {healthTimeoutMs = 30000} = {}) {
    fs.mkdirSync(this.dataDir, {recursive: true});
    const configPath = path.join(this.dir, 'meridian.yaml');
    fs.writeFileSync(configPath, config);
    let last = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      this.graphitePort = await freePort({udp: true});
      this.httpPort = await freePort();
      try {
        await this.launch(configPath, healthTimeoutMs);
        return this;
      } catch (e) {
        last = e;
        await this.stop();
      }
    }
    throw last;
  }

  async launch(configPath, healthTimeoutMs) {
    const log = fs.openSync(this.logPath, 'a');
    this.exited = null;
    this.proc = spawn(binary(), ['serve', '--data-dir', this.dataDir,
                                 '--graphite-listen', `127.0.0.1:${this.graphitePort}`,
                                 '--http-listen', `127.0.0.1:${this.httpPort}`,
                                 '--pickle-listen', 'off',
                                 '--config', configPath],
                      {cwd: this.dir, stdio: ['ignore', log, log]});
    fs.closeSync(log);
    const proc = this.proc;
    this.exitPromise = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exited = {code, signal};
        resolve();
      });
      proc.once('error', (e) => {
        this.exited = {code: 127, signal: null, error: e.message};
        resolve();
      });
    });
    await waitFor(async () => {
      if (this.exited) {
        throw new Error(`meridian ${this.name} exited (${JSON.stringify(this.exited)}): ` +
                        this.logTail());
      }
      const r = await httpGet(this.url, '/health', {timeoutMs: 1000});
      return r.status === 200;
    }, {timeoutMs: healthTimeoutMs, everyMs: 50, what: `${this.name} /health`}).catch((e) => {
      throw new Error(`${e.message}\n${this.logTail()}`);
    });
  }

  logTail(n = 2000) {
    try {
      const s = fs.readFileSync(this.logPath, 'utf8');
      return s.slice(-n);
    } catch (e) {
      return '';
    }
  }

  // Graphite plaintext (`path value ts\n` lines) over one TCP connection, closed after writing.
  async ingest(lines) {
    const text = Array.isArray(lines) ? lines.join('\n') + '\n' : lines;
    await new Promise((resolve, reject) => {
      const s = net.connect(this.graphitePort, '127.0.0.1', () => s.end(text));
      s.once('error', reject);
      s.once('close', (hadError) => (hadError ? reject(new Error('ingest socket error')) : resolve()));
    });
  }

  signal(sig) {
    if (this.proc && !this.exited) this.proc.kill(sig);
  }

  // SIGTERM, then SIGKILL if it has not exited within `graceMs`. A stopped (SIGSTOP) process is
  // continued first so it can act on SIGTERM.
  async stop({graceMs = 5000} = {}) {
    if (!this.proc || this.exited) return;
    this.proc.kill('SIGCONT');
    this.proc.kill('SIGTERM');
    const timer = new Promise((r) => setTimeout(r, graceMs, 'timeout'));
    if ((await Promise.race([this.exitPromise, timer])) === 'timeout') {
      this.proc.kill('SIGKILL');
      await this.exitPromise;
    }
  }
}

// A dashboard YAML per entry of `dashboards` ({relative file name: text}), a rule file per entry
// of `rules` on the region that owns it. Returns {root, regions: {eu, us, ap}, self: eu, stop}.
export async function startCluster({dashboards = {}, rules = {}, federationTimeout = '2s',
                                    extraConfig = ''} = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-browser-'));
  const dashDir = path.join(root, 'dashboards');
  fs.mkdirSync(dashDir, {recursive: true});
  for (const [file, text] of Object.entries(dashboards)) {
    fs.mkdirSync(path.dirname(path.join(dashDir, file)), {recursive: true});
    fs.writeFileSync(path.join(dashDir, file), text);
  }
  const regions = {};
  const cluster = {root, dashDir, regions, stop: async () => {
    await Promise.all(Object.values(regions).map((r) => r.stop()));
    if (!process.env.MERIDIAN_KEEP_TEMP) fs.rmSync(root, {recursive: true, force: true});
  }};
  try {
    const peerConfig = (name) => {
      const dir = path.join(root, name);
      fs.mkdirSync(dir, {recursive: true});
      let yaml = `instance: ${name}\n${extraConfig}`;
      if (rules[name]) {
        const rd = path.join(dir, 'rules');
        fs.mkdirSync(rd, {recursive: true});
        fs.writeFileSync(path.join(rd, 'rules.yaml'), rules[name]);
        yaml += `alerting:\n  rules_dir: ${rd}\n`;
      }
      return {dir, yaml};
    };
    await Promise.all(['us', 'ap'].map(async (name) => {
      const {dir, yaml} = peerConfig(name);
      regions[name] = new Instance(name, dir);
      await regions[name].start(yaml);
    }));
    const {dir, yaml} = peerConfig('eu');
    regions.eu = new Instance('eu', dir);
    await regions.eu.start(`${yaml}dashboards:\n  dir: ${dashDir}\n` +
                           `federation:\n  timeout: ${federationTimeout}\n  peers:\n` +
                           ['us', 'ap'].map((n) => `    - { name: ${n}, url: "${regions[n].url}", role: region }\n`).join(''));
    cluster.self = regions.eu;
    return cluster;
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

// playwright-core from the build dir's node_modules (never installed in the source tree).
export function playwright() {
  const mods = process.env.MERIDIAN_NODE_MODULES || path.join(here, 'node_modules');
  const require = createRequire(path.join(mods, 'noop.js'));
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core not found under ${mods} (run test/browser/run.sh, which ` +
                    `installs it with npm ci): ${e.message}`);
  }
}

export function chromiumPath() {
  const p = process.env.MERIDIAN_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(p)) {
    throw new Error(`chromium not found at ${p}: install Debian's chromium ` +
                    `(scripts/install-deps.sh test) or set MERIDIAN_CHROMIUM`);
  }
  return p;
}

export async function launchBrowser() {
  const {chromium} = playwright();
  const args = ['--disable-gpu', '--disable-dev-shm-usage'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  return chromium.launch({executablePath: chromiumPath(), headless: true, args});
}

// Waits until the page's view has drawn (body[data-ready=1]) and, when given, until
// body.dataset.refreshes is at least `refreshes`.
export async function waitReady(page, {refreshes = null, timeoutMs = 15000} = {}) {
  await page.waitForFunction((n) => document.body.dataset.ready === '1' &&
                                    (n === null || Number(document.body.dataset.refreshes) >= n),
                             refreshes, {timeout: timeoutMs, polling: 50});
}

// Graphite's render answer for the same query a panel makes, and the legend stats the contract
// defines over it (nulls ignored).
export function stats(datapoints) {
  let last = null, min = null, max = null, total = 0, n = 0;
  for (const [v] of datapoints) {
    if (v == null) continue;
    last = v;
    min = min == null || v < min ? v : min;
    max = max == null || v > max ? v : max;
    total += v;
    n++;
  }
  return {last, min, max, avg: n ? total / n : null, total: n ? total : null};
}
