// statsd (Etsy's, pinned in package-lock.json) with its graphite backend writing into a real
// `meridian serve`: a counter and a timer sent to statsd over UDP arrive in Meridian under
// statsd's legacy names (stats.<key>, stats_counts.<key>, stats.timers.<key>.<stat>) with the
// values statsd computed — once over the plaintext port (graphiteProtocol 'text', statsd's
// default) and once over the pickle port (graphiteProtocol 'pickle': statsd's own protocol-0
// pickles, values as strings).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const binary = process.env.MERIDIAN_BINARY;
const statsdMain = process.env.MERIDIAN_STATSD;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
  });
}

function get(port, url) {
  return new Promise((resolve) => {
    const req = http.get({host: '127.0.0.1', port, path: url, timeout: 2000}, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({status: res.statusCode, body}));
    });
    req.on('error', () => resolve({status: 0, body: ''}));
    req.on('timeout', () => req.destroy());
  });
}

// One command on statsd's management port; its answer ('' if it cannot be had).
function mgmt(port, command) {
  return new Promise((resolve) => {
    let out = '';
    const c = net.connect({host: '127.0.0.1', port}, () => c.write(command + '\n'));
    c.setTimeout(2000, () => c.destroy());
    c.on('data', (d) => {
      out += d;
      if (out.includes('END')) c.end();
    });
    c.on('close', () => resolve(out));
    c.on('error', () => resolve(''));
  });
}

// Polls `cond` (async) every 100 ms until it returns a truthy value or `ms` pass.
async function waitFor(cond, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(argv, logFile, env = {}) {
  const log = fs.openSync(logFile, 'w');
  const proc = spawn(argv[0], argv.slice(1), {stdio: ['ignore', log, log],
                                              env: {...process.env, ...env}});
  fs.closeSync(log);
  return proc;
}

async function startMeridian(dir) {
  const [graphite, http_, pickle] = [await freePort(), await freePort(), await freePort()];
  const proc = start([binary, 'serve', '--data-dir', path.join(dir, 'data'),
                      '--graphite-listen', `127.0.0.1:${graphite}`,
                      '--http-listen', `127.0.0.1:${http_}`,
                      '--pickle-listen', `127.0.0.1:${pickle}`], path.join(dir, 'meridian.log'));
  await waitFor(async () => (await get(http_, '/health')).status === 200, 30000,
                'meridian /health');
  return {proc, graphite, http: http_, pickle, log: () => fs.readFileSync(path.join(dir, 'meridian.log'), 'utf8')};
}

async function startStatsd(dir, meridian, protocol) {
  const [udp, mgmt] = [await freePort(), await freePort()];
  const config = {
    port: udp, address: '127.0.0.1', mgmt_port: mgmt, mgmt_address: '127.0.0.1',
    graphiteHost: '127.0.0.1', graphitePort: meridian.graphite,
    graphitePicklePort: meridian.pickle, graphiteProtocol: protocol,
    flushInterval: 2000, deleteIdleStats: true, percentThreshold: [90],
    backends: ['./backends/graphite'],
  };
  const file = path.join(dir, 'statsd-config.js');
  fs.writeFileSync(file, '(' + JSON.stringify(config) + ')\n');
  const logFile = path.join(dir, 'statsd.log');
  const proc = start([process.execPath, statsdMain, file], logFile);
  await waitFor(() => fs.readFileSync(logFile, 'utf8').includes('server is up'), 30000,
                'statsd "server is up"');
  return {proc, udp, mgmt, log: () => fs.readFileSync(logFile, 'utf8')};
}

// The non-null values of `target` over the last 10 minutes.
async function values(meridian, target) {
  const r = await get(meridian.http, '/render?format=json&from=-10min&target=' +
                      encodeURIComponent(target));
  if (r.status !== 200) return [];
  const series = JSON.parse(r.body);
  return series.flatMap((s) => s.datapoints.filter((d) => d[0] !== null).map((d) => d[0]));
}

async function runStatsd(protocol) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `statsd-${protocol}-`));
  const meridian = await startMeridian(dir);
  let statsd;
  try {
    statsd = await startStatsd(dir, meridian, protocol);
    const key = `app_${protocol}`;
    // One datagram: statsd handles it within one flush. Counter: 5 + 5 + 2 sampled at 0.5 = 14
    // per 2 s flush (rate 7/s). Timer: 100, 200, 600 ms.
    const packet = [`${key}.requests:5|c`, `${key}.requests:5|c`, `${key}.requests:2|c|@0.5`,
                    `${key}.latency:100|ms`, `${key}.latency:200|ms`, `${key}.latency:600|ms`]
                       .join('\n');
    const sock = dgram.createSocket('udp4');
    const send = (data) => new Promise((resolve, reject) =>
      sock.send(data, statsd.udp, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    // statsd logs "server is up" before its UDP socket is bound: a probe counter is sent until
    // statsd's management port lists it, so the measured packet cannot be dropped unheard.
    await waitFor(async () => {
      await send(`${key}.probe:1|c`);
      return (await mgmt(statsd.mgmt, 'counters')).includes(`${key}.probe`);
    }, 30000, 'statsd to receive UDP');
    await send(packet);
    sock.close();
    const timer = `stats.timers.${key}.latency`;
    const expected = {
      [`stats_counts.${key}.requests`]: 14,
      [`stats.${key}.requests`]: 7,
      [`${timer}.count`]: 3,
      [`${timer}.count_ps`]: 1.5,
      [`${timer}.mean`]: 300,
      [`${timer}.upper`]: 600,
      [`${timer}.lower`]: 100,
      [`${timer}.sum`]: 900,
      [`${timer}.median`]: 200,
      [`${timer}.upper_90`]: 600,
      [`${timer}.mean_90`]: 300,
    };
    try {
      await waitFor(async () => (await values(meridian, `${timer}.mean_90`)).length > 0, 20000,
                    `${timer}.mean_90 in Meridian`);
      for (const [name, want] of Object.entries(expected)) {
        assert.deepEqual(await values(meridian, name), [want], name);
      }
      // statsd's own self-metrics came along too (legacy names).
      assert.ok((await values(meridian, 'stats.statsd.graphiteStats.calculationtime')).length > 0);
    } catch (e) {
      e.message += `\n--- statsd log ---\n${statsd.log()}\n--- meridian log ---\n${meridian.log()}`;
      throw e;
    }
    if (protocol === 'pickle') {
      const metrics = (await get(meridian.http, '/metrics')).body;
      assert.match(metrics, /meridian_ingest_pickle_frames_total [1-9]/);
    }
  } finally {
    if (statsd) statsd.proc.kill('SIGTERM');
    meridian.proc.kill('SIGTERM');
    await new Promise((r) => (meridian.proc.exitCode !== null ? r() : meridian.proc.on('exit', r)));
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

test('statsd graphite backend, text protocol, into the plaintext port', () => runStatsd('text'));
test('statsd graphite backend, pickle protocol, into the pickle port', () => runStatsd('pickle'));
