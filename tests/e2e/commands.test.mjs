// Suite (d): remote control through the REST API to an independent, schema-strict OCPP 1.6 pile
// (ocpp-rpc, strictMode: the server's CALLs are validated against the official request schemas
// before the handlers below see them, and the pile's answers against the response schemas).
// Each command is POSTed, the pile answers, and GET /api/v1/commands/{id} must show that answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import rpc from 'ocpp-rpc';
import { OCPP_URL, adminToken, api, eventually, registerPile } from './lib.mjs';

const { RPCClient, RPCGenericError } = rpc;

test('remote-control commands reach a strict OCPP 1.6 pile and its answers reach the API', async (t) => {
  const token = await adminToken();
  const pile = await registerPile('E2E-CMD');
  const received = [];
  const client = new RPCClient({
    endpoint: OCPP_URL, identity: pile.id, password: pile.password, protocols: ['ocpp1.6'],
    strictMode: true, reconnect: false, callTimeoutMs: 10000,
  });
  const on = (action, answer) => client.handle(action, ({ params }) => { received.push({ action, params }); return answer(params); });
  on('RemoteStartTransaction', (p) => ({ status: p.idTag === 'E2E-GOOD' ? 'Accepted' : 'Rejected' }));
  on('Reset', () => ({ status: 'Accepted' }));
  on('UnlockConnector', (p) => ({ status: p.connectorId === 1 ? 'Unlocked' : 'UnlockFailed' }));
  on('GetConfiguration', (p) => ({
    configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
    unknownKey: (p.key || []).filter((k) => k !== 'HeartbeatInterval'),
  }));
  on('ClearCache', () => { throw new RPCGenericError('cache is on fire'); });
  await client.connect();
  t.after(() => client.close({ force: true }).catch(() => {}));
  await client.call('BootNotification', { chargePointVendor: 'E2E-Vendor', chargePointModel: 'E2E-CMD' });

  // POST, then poll until the command has a final status.
  async function command(type, args) {
    const r = await api('POST', `/api/v1/piles/${pile.id}/commands`, { token, body: { type, args } });
    assert.equal(r.status, 202, r.text);
    assert.equal(typeof r.json.id, 'string');
    const done = await eventually(async () => {
      const g = await api('GET', `/api/v1/commands/${r.json.id}`, { token });
      assert.equal(g.status, 200, g.text);
      return ['Pending', 'Sent'].includes(g.json.status) ? null : g.json;
    }, { timeoutMs: 10000 });
    assert.ok(done, `command ${type} did not finish`);
    return done;
  }

  await t.test('RemoteStartTransaction: Accepted and Rejected as the pile answers', async () => {
    const ok = await command('remote_start', { connector: 1, id_tag: 'E2E-GOOD' });
    assert.equal(ok.status, 'Accepted');
    assert.deepEqual(ok.response, { status: 'Accepted' });
    assert.deepEqual(received.at(-1), { action: 'RemoteStartTransaction', params: { connectorId: 1, idTag: 'E2E-GOOD' } });
    const no = await command('remote_start', { id_tag: 'E2E-BAD' });
    assert.equal(no.status, 'Rejected');
    assert.deepEqual(received.at(-1).params, { idTag: 'E2E-BAD' });
  });

  await t.test('RemoteStartTransaction carries a charging profile the strict pile accepts', async () => {
    const profile = {
      chargingProfileId: 3, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
    };
    const r = await command('remote_start', { connector: 2, id_tag: 'E2E-GOOD', charging_profile: profile });
    assert.equal(r.status, 'Accepted');
    assert.deepEqual(received.at(-1).params.chargingProfile, profile);
  });

  await t.test('Reset hard', async () => {
    const r = await command('reset', { type: 'hard' });
    assert.equal(r.status, 'Accepted');
    assert.deepEqual(received.at(-1), { action: 'Reset', params: { type: 'Hard' } });
  });

  await t.test('UnlockConnector: Unlocked and UnlockFailed', async () => {
    assert.equal((await command('unlock', { connector: 1 })).status, 'Unlocked');
    assert.equal((await command('unlock', { connector: 2 })).status, 'UnlockFailed');
  });

  await t.test('GetConfiguration returns the keys and the unknown keys', async () => {
    const r = await command('get_configuration', { keys: ['HeartbeatInterval', 'NoSuchKey'] });
    assert.equal(r.status, 'Accepted');
    assert.deepEqual(received.at(-1).params, { key: ['HeartbeatInterval', 'NoSuchKey'] });
    assert.deepEqual(r.response.configurationKey, [{ key: 'HeartbeatInterval', readonly: false, value: '300' }]);
    assert.deepEqual(r.response.unknownKey, ['NoSuchKey']);
  });

  await t.test('a CALLERROR from the pile is recorded with its code', async () => {
    const r = await command('clear_cache', {});
    assert.equal(r.status, 'CallError');
    assert.match(r.detail, /GenericError/);
    assert.match(r.detail, /cache is on fire/);
  });

  await t.test('the pile\'s history lists every command, newest first', async () => {
    const h = await api('GET', `/api/v1/piles/${pile.id}/commands?limit=100`, { token });
    assert.equal(h.status, 200, h.text);
    const types = h.json.items.map((c) => c.type);
    assert.deepEqual(types, ['clear_cache', 'get_configuration', 'unlock', 'unlock', 'reset', 'remote_start',
      'remote_start', 'remote_start']);
    assert.equal(h.json.next, null);
  });

  await t.test('once the pile is gone, a command is Offline', async () => {
    await client.close({ force: true });
    await eventually(async () => (await api('GET', `/api/v1/piles/${pile.id}`, { token })).json.online === false);
    const r = await command('reset', { type: 'soft' });
    assert.equal(r.status, 'Offline');
  });
});
