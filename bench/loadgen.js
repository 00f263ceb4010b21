// Load generator for OCPP 1.6 servers (bench/run.sh drives it; usable alone).
//
//   node loadgen.js load --url ws://127.0.0.1:P/ocpp --piles 100 --duration 20 [--warmup 3]
//        [--password PW] [--boot] [--prefix LG] [--workers 1] [--server-pid PID]
//     N piles connect (Basic auth when --password), optionally BootNotification, then each runs
//     a closed loop of MeterValues CALLs (1 meterValue, 8 sampled values) for the duration.
//     Prints one JSON line: calls, calls_per_s, p50_ms, p99_ms, errors and, with --server-pid,
//     the server's CPU ms per 1,000 calls over the measured window (utime+stime from /proc).
//   node loadgen.js idle --url ... --piles 10000 [--password PW] [--boot] --server-pid PID
//     Connects (and authenticates) N piles, lets them sit idle, and prints the server's RSS
//     before and after and the RSS per idle connection.
//   node loadgen.js paced --url ... --piles 2000 --interval 10 --duration 120 [--honour-config]
//        [--metrics-url http://127.0.0.1:P/metrics] --server-pid PID
//     Each pile sends one MeterValues every --interval seconds (staggered), as real piles do. With
//     --honour-config the piles accept ChangeConfiguration and follow MeterValueSampleInterval,
//     as a compliant pile would; without it they answer NotImplemented and keep their interval.
//     Prints calls, server CPU ms and, with --metrics-url, the deltas of the server's telemetry
//     counters over the window (values stored, samples down-sampled).
//   node loadgen.js register --api http://127.0.0.1:P --admin-password A --password PW --piles N
//     Registers <prefix>-00001.. through POST /api/v1/piles (409 = already there).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const HIST_BUCKETS = 256; // 8 per octave of microseconds, as in the simulator

function parseArgs(argv) {
  const opts = { mode: argv[0] ?? 'load', piles: 100, duration: 20, warmup: 3, prefix: 'LG', workers: 1,
    boot: false, settle: 3, connectConcurrency: 200 };
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'boot') { opts.boot = true; continue; }
    if (key === 'honour-config') { opts.honourConfig = true; continue; }
    const camel = key.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    const value = argv[++i];
    opts[camel] = /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return opts;
}

const pileId = (prefix, i, total) => `${prefix}-${String(i).padStart(Math.max(5, String(total).length), '0')}`;

function bucketOf(us) { return Math.min(HIST_BUCKETS - 1, Math.floor(8 * Math.log2(us + 1))); }
function quantileMs(hist, q) {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= rank) return (2 ** ((i + 0.5) / 8) - 1) / 1000;
  }
  return 0;
}

function cpuTicks(pid) {
  // /proc/<pid>/stat: fields after the ')' of comm; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}
const CLK_TCK = 100; // USER_HZ on Linux

function meterValuesPayload(seq) {
  const ts = new Date().toISOString();
  const v = (value, measurand, unit, phase, location = 'Outlet') => ({ value: String(value), context: 'Sample.Periodic',
    measurand, unit, location, ...(phase ? { phase } : {}) });
  return {
    connectorId: 1,
    meterValue: [{
      timestamp: ts,
      sampledValue: [
        v(1000000 + seq, 'Energy.Active.Import.Register', 'Wh'),
        v(11000, 'Power.Active.Import', 'W'),
        v('15.94', 'Current.Import', 'A', 'L1'),
        v('15.91', 'Current.Import', 'A', 'L2'),
        v('15.97', 'Current.Import', 'A', 'L3'),
        v('230.4', 'Voltage', 'V', 'L1-N'),
        v('31.2', 'Temperature', 'Celsius', '', 'Body'),
        v(57, 'SoC', 'Percent', '', 'EV'),
      ],
    }],
  };
}

// ---- one worker: a slice of the piles -------------------------------------------------------
class Pile {
  constructor(id, opts) {
    this.id = id; this.opts = opts; this.seq = 0; this.pending = null;
  }
  connect() {
    return new Promise((resolve, reject) => {
      const headers = {};
      if (this.opts.password) headers.Authorization = 'Basic ' + Buffer.from(`${this.id}:${this.opts.password}`).toString('base64');
      const ws = new WebSocket(`${this.opts.url}/${this.id}`, ['ocpp1.6'], { headers, perMessageDeflate: false });
      this.ws = ws;
      ws.on('open', () => resolve());
      ws.on('unexpected-response', (_req, res) => reject(new Error(`${this.id}: HTTP ${res.statusCode}`)));
      ws.on('error', (e) => { if (this.pending) { this.pending.reject(e); this.pending = null; } reject(e); });
      ws.on('close', () => { this.closed = true; if (this.pending) { this.pending.reject(new Error('closed')); this.pending = null; } });
      ws.on('message', (data) => {
        let msg;
        try { msg = JSON.parse(data); } catch { return; }
        if (msg[0] === 2) { ws.send(JSON.stringify(this.answer(msg))); return; }
        if (this.pending && msg[1] === this.pending.id) {
          const p = this.pending; this.pending = null;
          if (msg[0] === 3) p.resolve(msg[2]); else p.reject(new Error(`CALLERROR ${msg[2]}`));
        }
      });
    });
  }
  // A server CALL: a compliant pile (--honour-config) takes configuration, others refuse it.
  answer([, id, action, payload]) {
    if (!this.opts.honourConfig) return [4, id, 'NotImplemented', '', {}];
    this.config ??= new Map();
    if (action === 'ChangeConfiguration') {
      this.config.set(payload.key, payload.value);
      if (payload.key === 'MeterValueSampleInterval' && Number(payload.value) > 0) this.interval = Number(payload.value);
      return [3, id, { status: 'Accepted' }];
    }
    if (action === 'GetConfiguration') {
      const keys = payload.key ?? [...this.config.keys()];
      return [3, id, { configurationKey: keys.filter((k) => this.config.has(k)).map((k) => ({ key: k, readonly: false, value: this.config.get(k) })),
        unknownKey: keys.filter((k) => !this.config.has(k)) }];
    }
    return [4, id, 'NotImplemented', '', {}];
  }
  call(action, payload) {
    return new Promise((resolve, reject) => {
      const id = String(++this.seq);
      this.pending = { id, resolve, reject };
      this.ws.send(JSON.stringify([2, id, action, payload]));
    });
  }
}

async function limited(items, concurrency, fn) {
  let next = 0;
  const errors = [];
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      try { await fn(item); } catch (e) { errors.push(e.message); }
    }
  }));
  return errors;
}

async function workerMain({ opts, ids }) {
  const piles = ids.map((id) => new Pile(id, opts));
  const errors = await limited(piles, opts.connectConcurrency, async (p) => {
    await p.connect();
    if (opts.boot) {
      const r = await p.call('BootNotification', { chargePointVendor: 'ChargePlane', chargePointModel: 'LOADGEN' });
      if (r.status !== 'Accepted') throw new Error(`${p.id}: boot ${r.status}`);
    }
  });
  const live = piles.filter((p) => p.ws && p.ws.readyState === WebSocket.OPEN);
  parentPort.postMessage({ type: 'ready', connected: live.length, errors: errors.slice(0, 5), errorCount: errors.length });
  let measuring = false; let running = true;
  const hist = new Array(HIST_BUCKETS).fill(0);
  let calls = 0; let callErrors = 0;
  parentPort.on('message', (m) => {
    if (m === 'start') { measuring = true; hist.fill(0); calls = 0; callErrors = 0; }
    if (m === 'stop') {
      measuring = false; running = false;
      parentPort.postMessage({ type: 'result', calls, callErrors, hist });
    }
    if (m === 'close') { for (const p of piles) p.ws?.terminate(); setTimeout(() => process.exit(0), 100); }
  });
  if (opts.mode === 'paced') {
    // One MeterValues per pile per interval, starts spread over the first interval.
    for (const p of live) {
      p.interval = p.interval ?? Number(opts.interval);
      setTimeout(async function tick() {
        if (!running || p.closed) return;
        const t0 = process.hrtime.bigint();
        try {
          await p.call('MeterValues', meterValuesPayload(p.seq));
          if (measuring) { calls++; hist[bucketOf(Number(process.hrtime.bigint() - t0) / 1000)]++; }
        } catch { if (measuring) callErrors++; }
        setTimeout(tick, p.interval * 1000);
      }, Math.random() * p.interval * 1000);
    }
    return;
  }
  if (opts.mode !== 'load') return;
  for (const p of live) {
    (async () => {
      let n = 0;
      while (running && !p.closed) {
        const t0 = process.hrtime.bigint();
        try {
          await p.call('MeterValues', meterValuesPayload(n++));
          if (measuring) { calls++; hist[bucketOf(Number(process.hrtime.bigint() - t0) / 1000)]++; }
        } catch {
          if (measuring) callErrors++;
          if (p.closed) break;
        }
      }
    })();
  }
}

// Counters of interest from the server's Prometheus text.
async function scrape(url) {
  const text = await (await fetch(url)).text();
  const out = {};
  for (const name of ['chargeplane_telemetry_values_total', 'chargeplane_telemetry_samples_downsampled_total',
    'chargeplane_telemetry_values_shed_total']) {
    const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
    out[name] = m ? Number(m[1]) : 0;
  }
  return out;
}

// ---- main -----------------------------------------------------------------------------------
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function register(opts) {
  const api = opts.api.replace(/\/$/, '');
  const login = await fetch(`${api}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: opts.adminUser ?? 'admin', password: String(opts.adminPassword) }) });
  if (!login.ok) throw new Error(`login: HTTP ${login.status}`);
  const { token } = await login.json();
  const ids = Array.from({ length: opts.piles }, (_, i) => pileId(opts.prefix, i + 1, opts.piles));
  let created = 0; let existing = 0;
  const errors = await limited(ids, Number(opts.concurrency ?? 16), async (id) => {
    const r = await fetch(`${api}/api/v1/piles`, { method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ id, protocol: 'ocpp1.6', password: String(opts.password) }) });
    await r.arrayBuffer();
    if (r.status === 201 || r.status === 200) created++;
    else if (r.status === 409) existing++;
    else throw new Error(`${id}: HTTP ${r.status}`);
  });
  console.log(JSON.stringify({ registered: created, existing, failed: errors.length, first_error: errors[0] }));
  if (errors.length) process.exit(1);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.mode === 'register') return register(opts);
  if (!opts.url) throw new Error('--url is required');
  const pid = opts.serverPid;
  const ids = Array.from({ length: opts.piles }, (_, i) => pileId(opts.prefix, i + 1, opts.piles));
  const workers = Math.max(1, Math.min(opts.workers, ids.length));
  const rssBefore = pid ? rssKiB(pid) : 0;
  const threads = [];
  for (let w = 0; w < workers; w++) {
    const slice = ids.filter((_, i) => i % workers === w);
    threads.push(new Worker(fileURLToPath(import.meta.url), { workerData: { opts, ids: slice } }));
  }
  const next = (worker, type) => new Promise((resolve) => {
    const on = (m) => { if (m.type === type) { worker.off('message', on); resolve(m); } };
    worker.on('message', on);
  });
  const ready = await Promise.all(threads.map((t) => next(t, 'ready')));
  const connected = ready.reduce((a, r) => a + r.connected, 0);
  const connectErrors = ready.reduce((a, r) => a + r.errorCount, 0);
  const firstErrors = ready.flatMap((r) => r.errors).slice(0, 3);
  const out = { mode: opts.mode, piles: opts.piles, connected, connect_errors: connectErrors, first_errors: firstErrors };
  if (opts.mode === 'idle') {
    await sleep(opts.settle * 1000); // let the server finish whatever connecting cost it
    const rssAfter = pid ? rssKiB(pid) : 0;
    Object.assign(out, { rss_before_kib: rssBefore, rss_after_kib: rssAfter,
      rss_per_conn_kib: connected ? Number(((rssAfter - rssBefore) / connected).toFixed(2)) : null });
  } else {
    await sleep(opts.warmup * 1000);
    const counters0 = opts.metricsUrl ? await scrape(opts.metricsUrl) : null;
    const cpu0 = pid ? cpuTicks(pid) : 0;
    const t0 = process.hrtime.bigint();
    threads.forEach((t) => t.postMessage('start'));
    await sleep(opts.duration * 1000);
    const results = await Promise.all(threads.map((t) => { const r = next(t, 'result'); t.postMessage('stop'); return r; }));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu1 = pid ? cpuTicks(pid) : 0;
    const hist = new Array(HIST_BUCKETS).fill(0);
    let calls = 0; let errors = 0;
    for (const r of results) { calls += r.calls; errors += r.callErrors; r.hist.forEach((v, i) => { hist[i] += v; }); }
    const cpuMs = ((cpu1 - cpu0) * 1000) / CLK_TCK;
    if (counters0) {
      const counters1 = await scrape(opts.metricsUrl);
      out.counters = Object.fromEntries(Object.keys(counters1).map((k) => [k, counters1[k] - (counters0[k] ?? 0)]));
    }
    Object.assign(out, { seconds: Number(seconds.toFixed(2)), calls, call_errors: errors,
      calls_per_s: Math.round(calls / seconds), p50_ms: Number(quantileMs(hist, 0.5).toFixed(3)),
      p99_ms: Number(quantileMs(hist, 0.99).toFixed(3)),
      ...(pid ? { server_cpu_ms: cpuMs, cpu_ms_per_1000_calls: calls ? Number((cpuMs * 1000 / calls).toFixed(2)) : null } : {}) });
  }
  threads.forEach((t) => t.postMessage('close'));
  console.log(JSON.stringify(out));
  await sleep(300);
  process.exit(0);
}

if (isMainThread) main().catch((e) => { console.error(`loadgen: ${e.message}`); process.exit(1); });
else workerMain(workerData);
