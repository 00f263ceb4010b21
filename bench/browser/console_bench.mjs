// The console in chromium under a 10,000-pile fleet: first-load bytes (compressed, as sent),
// time until the fleet page shows every pile, then long tasks (PerformanceObserver
// 'longtask'), frame rate and the latency of a page flip while the status generator streams
// connector.status events. Prints one JSON object.
//   node console_bench.mjs --api http://host:port --password ADMIN_PW --piles 10000 --window 30
import { chromium } from 'playwright-core';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const api = args.api, password = args.password, piles = Number(args.piles ?? 10000), windowS = Number(args.window ?? 30);
const shotPath = args.screenshot;

const b = await chromium.launch({ executablePath: process.env.CP_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const ctx = await b.newContext({ viewport: { width: 1280, height: 900 } });
await ctx.addInitScript(() => {
  window.__longtasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
});
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
const urls = new Map();
const bytes = [];
cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
cdp.on('Network.loadingFinished', (e) => bytes.push({ url: urls.get(e.requestId) ?? '', size: e.encodedDataLength, at: Date.now() }));
const assetBytes = (list) => list.filter((x) => !x.url.includes('/api/')).reduce((s, x) => s + x.size, 0);

await page.goto(`${api}/`);
await page.getByLabel('Password').waitFor();
await page.waitForLoadState('networkidle');
const loginBytes = assetBytes(bytes);
await page.evaluate(() => { window.__longtasks = []; });
const t0 = Date.now();
await page.getByLabel('User name').fill('admin');
await page.getByLabel('Password').fill(password);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForFunction((n) => document.querySelector('[data-testid="count-total"]')?.textContent === n.toLocaleString(), piles, { timeout: 120000 });
const fleetMs = Date.now() - t0;
const fleetBytes = assetBytes(bytes);
const loadTasks = await page.evaluate(() => window.__longtasks.map((x) => x.duration));
await page.waitForSelector('.stream.live');

// the measured window: streaming events; flip pages once a second and time the update
await page.evaluate(() => { window.__longtasks = []; window.__frames = 0; const f = () => { window.__frames++; requestAnimationFrame(f); }; requestAnimationFrame(f); });
const flips = [];
const startedAt = Date.now();
let i = 0;
const counts0 = await page.getByTestId('count-online').textContent();
while (Date.now() - startedAt < windowS * 1000) {
  const before = await page.getByTestId('fleet-range').textContent();
  const t = Date.now();
  await page.getByRole('button', { name: i++ % 2 ? 'Previous' : 'Next' }).click();
  await page.waitForFunction((b4) => document.querySelector('[data-testid="fleet-range"]').textContent !== b4, before);
  flips.push(Date.now() - t);
  await page.waitForTimeout(1000);
}
const elapsed = (Date.now() - startedAt) / 1000;
const r = await page.evaluate(() => ({ longtasks: window.__longtasks, frames: window.__frames }));
// the observer works: a deliberate 150 ms task must be seen
const observerWorks = await page.evaluate(async () => {
  const n = window.__longtasks.length;
  setTimeout(() => { const t = performance.now(); while (performance.now() - t < 150) { /* busy */ } }, 0);
  await new Promise((res) => setTimeout(res, 500));
  return window.__longtasks.length > n;
});
if (shotPath) await page.screenshot({ path: shotPath });
const received = await page.evaluate(async () => (await (await fetch('/metrics')).text()).match(/chargeplane_events_sent_total (\d+)/)?.[1]);
flips.sort((a, b) => a - b);
const lt = r.longtasks.map((x) => x.duration).sort((a, b) => a - b);
console.log(JSON.stringify({
  piles,
  first_load_login_bytes: loginBytes,
  first_load_fleet_bytes: fleetBytes,
  fleet_ready_ms: fleetMs,
  load_longtasks: loadTasks.length,
  load_longtask_max_ms: loadTasks.length ? Math.round(Math.max(...loadTasks)) : 0,
  rate_events_per_s: Number(args.rate ?? 0),
  window_s: Math.round(elapsed),
  longtasks: lt.length,
  longtasks_over_100ms: lt.filter((d) => d > 100).length,
  longtask_max_ms: lt.length ? Math.round(lt[lt.length - 1]) : 0,
  fps: Math.round(r.frames / elapsed),
  page_flip_p50_ms: flips[Math.floor(flips.length / 2)],
  page_flip_max_ms: flips[flips.length - 1],
  online_counter_at_start: counts0,
  events_sent_total: Number(received ?? 0),
  longtask_observer_works: observerWorks,
}));
await b.close();
