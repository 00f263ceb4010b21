// The operator console with a YKC pile: a V1.6 dual-gun pile's page offers a parallel start, and
// the pile's answer (one 0xA3 per gun) shows as the command's status with a transaction on each
// gun. Runs after console.test.mjs on the same server, so the fleet counts there are not moved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { API_URL, ADMIN_PASSWORD, adminToken, api, browser, shot, until, YkcSim } from './lib.mjs';

const ykc = new YkcSim('32010600009001', 1);
const pile = ykc.ids[0];
let b, page, token;

before(async () => {
  ykc.start();
  token = await until(() => adminToken().catch(() => null), 'admin login');
  await ykc.online(token);
  b = await browser();
  const ctx = await b.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'Asia/Shanghai', colorScheme: 'light' });
  page = await ctx.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

after(async () => {
  await b?.close();
  await ykc.stop();
});

test('a YKC dual-gun pile starts one vehicle on both guns from its page', async () => {
  await page.goto(`${API_URL}/`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/#\/fleet/);
  await page.goto(`${API_URL}/#/piles/${pile}`);
  await page.locator('.stream.live').waitFor();
  // The simulated pile also charges on its own: start once both guns are free, and try again if
  // one of its own sessions took a gun in between (the pile then refuses that gun: Rejected).
  const parallel = page.getByRole('button', { name: 'Parallel start…' });
  await parallel.waitFor();
  for (let attempt = 1; ; attempt++) {
    await until(async () => {
      const r = await api('GET', `/api/v1/piles/${pile}/connectors`, { token });
      const guns = r.json.items.filter((c) => c.connector > 0);
      return guns.length === 2 && guns.every((c) => c.status === 'Available' && !c.transaction);
    }, `both guns of ${pile} free`, 90000);
    await parallel.click();
    assert.ok(await page.getByLabel('Gun 1', { exact: true }).isChecked());
    assert.ok(await page.getByLabel('Gun 2', { exact: true }).isChecked());
    await page.getByLabel('Id tag', { exact: true }).fill('1000000573');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send' }).click();
    const status = page.locator('tr[data-type="remote_start_parallel"] .badge').first();
    await until(async () => ['Accepted', 'Rejected'].includes(await status.textContent()), 'parallel start answered', 30000);
    if (await status.textContent() === 'Accepted') break;
    assert.ok(attempt < 3, 'the parallel start was Rejected three times');
  }
  // Both guns charge, each under its own transaction.
  for (const gun of [1, 2])
    await until(async () => (await page.locator(`tr[data-connector="${gun}"]`).textContent()).includes('#'), `a transaction on gun ${gun}`);
  const r = await api('GET', `/api/v1/piles/${pile}/connectors`, { token });
  const txs = r.json.items.filter((c) => c.connector > 0).map((c) => c.transaction);
  assert.equal(new Set(txs).size, 2, `two transactions: ${JSON.stringify(txs)}`);
  await shot(page, '20-ykc-parallel-start');
});

test('the API refuses a parallel start on fewer than two guns', async () => {
  const r = await api('POST', `/api/v1/piles/${pile}/commands`, { token, body: { type: 'remote_start_parallel', args: { connectors: [1], id_tag: 'T' } } });
  assert.equal(r.status, 422);
  assert.match(r.json.detail, /args\.connectors/);
});
