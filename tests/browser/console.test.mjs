// The operator console in chromium against a real server and simulated piles: sign in, the
// fleet, a pile's live chart, remote control, a configuration job with Accepted, Rejected and
// Offline results, the acquisition policy, a pile going offline and coming back, and an
// expired session. Each step leaves a screenshot in <build>/browser-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { API_URL, ADMIN_PASSWORD, adminToken, api, browser, shot, until, Sim } from './lib.mjs';

const fleet = new Sim('WEB', 4);
const lonely = new Sim('OFF', 1); // the pile that goes offline
const newcomer = new Sim('NEW', 1); // registered while the console is open
let b, page, token;

before(async () => {
  fleet.start();
  lonely.start();
  token = await until(() => adminToken().catch(() => null), 'admin login');
  await fleet.online(token);
  await lonely.online(token);
  b = await browser();
  const ctx = await b.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'Europe/Berlin', colorScheme: 'light' });
  // Keep a handle on the console's EventSources so a test can cut one (a lost stream).
  await ctx.addInitScript(() => {
    const Native = window.EventSource;
    window.__streams = [];
    window.EventSource = class extends Native {
      constructor(...args) { super(...args); window.__streams.push(this); }
    };
  });
  page = await ctx.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

after(async () => {
  await b?.close();
  await fleet.stop();
  await lonely.stop();
  await newcomer.stop();
});

const row = (id) => page.locator(`tr[data-pile="${id}"]`);

test('signing in leads to the fleet with live counts', async () => {
  await page.goto(`${API_URL}/`);
  await page.waitForURL(/#\/login/);
  await shot(page, '01-login');
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('wrong-password-here');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'invalid_credentials' }).waitFor();
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/#\/fleet/);
  await page.locator('.stream.live').waitFor();
  await until(async () => (await page.getByTestId('count-total').textContent()) === '5', 'five piles counted');
  assert.equal(await page.getByTestId('count-online').textContent(), '5');
  await row('WEB-00001').waitFor();
  assert.match(await page.getByTestId('fleet-range').textContent(), /1–5 of 5/);
  // sorting by id descending puts the OFF pile last... and first when reversed
  const sortById = page.locator('th[data-key="id"]');
  await sortById.getByRole('button').click();
  assert.equal(await sortById.getAttribute('aria-sort'), 'descending');
  await until(async () => (await page.locator('tbody tr[data-pile]').first().getAttribute('data-pile')) === 'WEB-00004', 'descending order');
  await sortById.getByRole('button').click();
  await page.getByLabel('Search piles').fill('OFF-');
  await until(async () => (await page.locator('tbody tr[data-pile]:visible').count()) === 1, 'filtered to one pile');
  await page.getByLabel('Search piles').fill('');
  await shot(page, '02-fleet');
});

test('a pile page shows live telemetry and answers remote start and stop', async () => {
  await page.goto(`${API_URL}/#/piles/WEB-00001`);
  await page.locator('.stream.live').waitFor();
  // The simulator also charges on its own: start on a connector that is free now, and try
  // again if its own session took the connector in between (the pile then answers Rejected).
  let conns;
  for (let attempt = 1; ; attempt++) {
    conns = await until(async () => {
      const r = await api('GET', '/api/v1/piles/WEB-00001/connectors', { token });
      return r.json.items.find((c) => c.connector > 0 && c.status === 'Available');
    }, 'an available connector on WEB-00001', 60000);
    // Parallel charging is a YKC start: an OCPP pile's page does not offer it.
    assert.equal(await page.getByRole('button', { name: 'Parallel start…' }).count(), 0);
    await page.getByRole('button', { name: 'Remote start…' }).click();
    await page.getByLabel('Connector', { exact: true }).selectOption(String(conns.connector));
    await page.getByLabel('Id tag', { exact: true }).fill('TAG-BROWSER');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send' }).click();
    const started = page.locator('tr[data-type="remote_start"] .badge').first();
    await until(async () => ['Accepted', 'Rejected'].includes(await started.textContent()), 'remote start answered');
    if (await started.textContent() === 'Accepted') break;
    assert.ok(attempt < 3, 'remote start was Rejected three times');
  }
  // the power chart fills from live telemetry events (one per second per pile)
  const power = page.locator('section[data-measurand="Power.Active.Import"]');
  await until(async () => Number(await power.getAttribute('data-points') ?? 0) >= 3, 'power samples on the chart', 30000);
  const before = Number(await power.getAttribute('data-points'));
  await until(async () => Number(await power.getAttribute('data-points')) > before, 'the chart updates live');
  await shot(page, '03-pile');
  // remote stop of the transaction now running
  await until(async () => (await page.locator(`tr[data-connector="${conns.connector}"]`).textContent()).includes('#'), 'a transaction on the connector');
  await page.getByRole('button', { name: 'Remote stop…' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Send' }).click();
  const stopped = page.locator('tr[data-type="remote_stop"] .badge').first();
  await until(async () => (await stopped.textContent()) === 'Accepted', 'remote stop accepted');
});

test('a configuration job shows Accepted, Rejected and Offline per pile and parameter', async () => {
  await lonely.stop();
  await lonely.online(token, false);
  await page.goto(`${API_URL}/#/configure?piles=WEB-00001,WEB-00002,OFF-00001`);
  const hb = page.locator('tr[data-parameter="heartbeat_interval"]');
  await hb.getByRole('checkbox').check();
  const input = page.getByLabel('heartbeat_interval value');
  await input.fill('99999999');
  await page.getByRole('button', { name: 'Send configuration' }).click();
  await page.getByText('Fix the highlighted values first.').waitFor(); // validated before anything is sent
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  await input.fill('120');
  // a read-only key of the simulator: the pile answers Rejected
  await page.getByLabel('Vendor key', { exact: true }).fill('ocpp1.6:NumberOfConnectors');
  await page.getByLabel('Vendor key value').fill('7');
  await shot(page, '04a-configure');
  await page.getByRole('button', { name: 'Send configuration' }).click();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.waitForURL(/#\/jobs\//);
  const cell = (pile, i) => page.locator(`tr[data-pile="${pile}"] td:nth-child(${i + 3}) .badge`);
  await until(async () => (await cell('WEB-00001', 0).textContent()) === 'Accepted', 'WEB-00001 heartbeat Accepted');
  await until(async () => (await cell('WEB-00001', 1).textContent()) === 'Rejected', 'WEB-00001 vendor key Rejected');
  await until(async () => (await cell('OFF-00001', 0).textContent()) === 'Offline', 'OFF-00001 Offline');
  await until(async () => (await page.getByTestId('job-state').textContent()) === 'Completed', 'job completed');
  assert.equal(await cell('WEB-00002', 0).textContent(), 'Accepted');
  assert.match(await page.getByTestId('job-summary').textContent(), /2 Offline/);
  assert.equal(await page.getByTestId('job-range').textContent(), '1–3 of 3 piles');
  // the failed-only filter lists exactly the piles with a Rejected, Timeout or Offline parameter
  const failed = [];
  for (const pile of ['WEB-00001', 'WEB-00002', 'OFF-00001']) {
    const statuses = [await cell(pile, 0).textContent(), await cell(pile, 1).textContent()];
    if (statuses.some((s) => ['Rejected', 'Timeout', 'Offline'].includes(s))) failed.push(pile);
  }
  await page.getByLabel('only piles with a failed parameter').check();
  await until(async () => (await page.getByTestId('job-range').textContent()) === `1–${failed.length} of ${failed.length} piles`,
    'the failed piles only');
  assert.deepEqual((await page.locator('[data-testid="job-matrix"] tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.pile))).sort(),
    failed.sort());
  await page.getByLabel('only piles with a failed parameter').uncheck();
  await until(async () => (await page.getByTestId('job-range').textContent()) === '1–3 of 3 piles', 'every pile again');
  await shot(page, '04-config-job');
  // retry the failed results: a new job for exactly those, linked to this one
  const first = page.url().split('#/jobs/')[1];
  await page.getByRole('button', { name: 'Retry failed' }).click();
  await page.waitForURL((u) => u.hash.startsWith('#/jobs/') && !u.hash.endsWith(first));
  const second = decodeURIComponent(page.url().split('#/jobs/')[1]);
  await page.getByRole('heading', { name: `Job ${second}` }).waitFor();
  await page.getByRole('link', { name: decodeURIComponent(first) }).waitFor(); // "Retry of"
  await until(async () => (await page.getByTestId('job-state').textContent()) === 'Completed', 'retry completed');
  const result = (pile, parameter) => page.locator(`tr[data-pile="${pile}"] td[data-parameter="${parameter}"] .badge`);
  await until(async () => (await result('WEB-00001', 'ocpp1.6:NumberOfConnectors').textContent()) === 'Rejected', 'retried key Rejected again');
  await until(async () => (await result('OFF-00001', 'heartbeat_interval').textContent()) === 'Offline', 'retried pile Offline again');
  assert.equal(await result('WEB-00001', 'heartbeat_interval').textContent(), '—', 'accepted before: not sent again');
});

test('the acquisition policy shows the estimated load change and applies', async () => {
  await page.goto(`${API_URL}/#/policy`);
  await page.getByLabel('Sample interval (s)').fill('30');
  await until(async () => /Stored values .* → .* per hour/.test(await page.getByTestId('estimate-text').textContent()), 'an estimate');
  await page.getByLabel('Heartbeat interval (s)').fill('600');
  await page.getByRole('button', { name: 'Apply to the fleet' }).click();
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.getByTestId('policy-job').getByRole('link').waitFor();
  const r = await api('GET', '/api/v1/acquisition-policy', { token });
  assert.equal(r.json.policy.sample_interval_s, 30);
  assert.equal(r.json.policy.heartbeat_interval_s, 600);
  await shot(page, '05-policy');
});

test('a lost event stream reconnects with back-off and replays what it missed (no REST reload)', async () => {
  lonely.start();
  await lonely.online(token);
  await page.goto(`${API_URL}/#/fleet`);
  await page.locator('.stream.live').waitFor();
  const badge = row('OFF-00001').locator('.badge');
  await until(async () => (await badge.textContent()) !== 'Offline', 'OFF-00001 shown online');
  // Changes seen live, so the page knows where in the stream it is (the id it resumes from).
  await lonely.stop();
  await lonely.online(token, false);
  await until(async () => (await badge.textContent()) === 'Offline', 'OFF-00001 offline, seen live');
  lonely.start();
  await lonely.online(token);
  await until(async () => (await badge.textContent()) !== 'Offline', 'OFF-00001 back online, seen live');
  // From here the fleet list must not be re-read: the server replays the missed events.
  const reloads = [];
  const watch = (r) => { if (new URL(r.url()).pathname === '/api/v1/piles') reloads.push(r.url()); };
  page.on('request', watch);
  // the network goes away and the open stream breaks; reconnection attempts fail until it is back
  await page.context().setOffline(true);
  await page.evaluate(() => window.__streams.filter((s) => s.readyState !== 2).forEach((s) => s.dispatchEvent(new Event('error'))));
  await page.locator('.stream.reconnecting').filter({ hasText: /reconnecting in \d+ s/ }).waitFor();
  await lonely.stop(); // its pile.offline event is published while the console is cut off
  await lonely.online(token, false);
  await page.context().setOffline(false);
  await page.locator('.stream.live').waitFor({ timeout: 40000 });
  await until(async () => (await badge.textContent()) === 'Offline', 'the missed change replayed by the stream');
  page.off('request', watch);
  assert.deepEqual(reloads, [], 'a resumed stream needs no REST resync');
});

test('a pile that goes offline comes back on the fleet page', async () => {
  await page.goto(`${API_URL}/#/fleet`);
  await page.locator('.stream.live').waitFor();
  const badge = row('OFF-00001').locator('.badge');
  await until(async () => (await badge.textContent()) === 'Offline', 'OFF-00001 shown offline');
  await until(async () => (await page.getByTestId('count-offline').textContent()) === '1', 'one pile counted offline');
  lonely.start();
  await until(async () => (await badge.textContent()) !== 'Offline', 'OFF-00001 back online', 30000);
  await until(async () => (await page.getByTestId('count-offline').textContent()) === '0', 'no pile counted offline');
});

test('users, tokens, dark theme and a tablet-sized window', async () => {
  await page.goto(`${API_URL}/#/access`);
  await page.getByRole('table', { name: 'Users' }).getByText('admin').first().waitFor();
  await page.getByLabel('Token name').fill('browser-ci');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByText('Copy it now').waitFor();
  await shot(page, '07-access');
  await page.goto(`${API_URL}/#/jobs`);
  await page.getByRole('table', { name: 'Configuration jobs' }).getByRole('link').first().waitFor();
  await shot(page, '08-jobs');
  await page.goto(`${API_URL}/#/access`);
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await page.setViewportSize({ width: 820, height: 1100 });
  await page.goto(`${API_URL}/#/fleet`);
  await row('WEB-00001').waitFor();
  await shot(page, '06-fleet-dark-tablet');
  await page.setViewportSize({ width: 1280, height: 860 });
});

test('a pile registered while the fleet page is open appears in it', async () => {
  await page.goto(`${API_URL}/#/fleet`);
  await page.locator('.stream.live').waitFor();
  await until(async () => (await page.getByTestId('count-total').textContent()) === '5', 'five piles');
  newcomer.start();
  await row('NEW-00001').waitFor({ timeout: 30000 });
  await until(async () => (await page.getByTestId('count-total').textContent()) === '6', 'six piles');
});

test('an expired or revoked session goes back to the login page', async () => {
  await api('POST', '/api/v1/auth/logout', { token: await page.evaluate(() => JSON.parse(sessionStorage.getItem('chargeplane.session')).token) });
  await page.goto(`${API_URL}/#/jobs`);
  await page.waitForURL(/#\/login\?next=/);
  await page.getByLabel('Password').waitFor();
});
