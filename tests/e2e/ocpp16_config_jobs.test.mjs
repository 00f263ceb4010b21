// Suite: configuration jobs delivered to an independent, schema-strict OCPP 1.6 pile (ocpp-rpc
// strictMode validates every CALL the server sends and every answer the pile gives), with each
// parameter's result read back through the REST API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import rpc from 'ocpp-rpc';
import { OCPP_URL, adminToken, api, eventually, registerPile } from './lib.mjs';

const { RPCClient } = rpc;

async function strictPile(pile, handlers) {
  const client = new RPCClient({
    endpoint: OCPP_URL, identity: pile.id, password: pile.password, protocols: ['ocpp1.6'],
    strictMode: true, reconnect: false, callTimeoutMs: 10000,
  });
  for (const [action, fn] of Object.entries(handlers)) client.handle(action, fn);
  await client.connect();
  await client.call('BootNotification', { chargePointVendor: 'E2E-Vendor', chargePointModel: 'E2E-Cfg' });
  return client;
}

async function completedJob(token, id) {
  return eventually(async () => {
    const r = await api('GET', `/api/v1/config-jobs/${id}`, { token });
    return r.json?.state === 'Completed' ? r.json : null;
  }, { timeoutMs: 15000 });
}

const resultsOf = (job, pile) =>
  Object.fromEntries(job.piles.find((p) => p.pile === pile).results.map((r) => [r.parameter, r]));

test('every parameter of a job gets the strict pile\'s own answer', async (t) => {
  const token = await adminToken();
  const pile = await registerPile('E2E-CFG');
  const config = new Map([['HeartbeatInterval', '300'], ['WebSocketPingInterval', '60'], ['ConnectionTimeOut', '60']]);
  const seen = [];
  const client = await strictPile(pile, {
    ChangeConfiguration: ({ params }) => {
      seen.push(params.key);
      if (params.key === 'ConnectionTimeOut') return { status: 'Rejected' };
      if (!config.has(params.key)) return { status: 'NotSupported' };
      config.set(params.key, params.value);
      return { status: params.key === 'WebSocketPingInterval' ? 'RebootRequired' : 'Accepted' };
    },
    GetConfiguration: ({ params }) => {
      const keys = params.key ?? [...config.keys()];
      return {
        configurationKey: keys.filter((k) => config.has(k)).map((k) => ({ key: k, readonly: false, value: config.get(k) })),
        unknownKey: keys.filter((k) => !config.has(k)),
      };
    },
  });
  t.after(() => client.close({ force: true }).catch(() => {}));

  const created = await api('POST', '/api/v1/config-jobs', {
    token,
    body: {
      targets: { piles: [pile.id] },
      parameters: { heartbeat_interval: 120, websocket_ping_interval: 30, connection_timeout: 90, 'ocpp1.6:NoSuchVendorKey': 'x' },
    },
  });
  assert.equal(created.status, 202, created.text);
  const job = await completedJob(token, created.json.id);
  assert.ok(job, 'the job completes');
  assert.deepEqual(seen, ['HeartbeatInterval', 'WebSocketPingInterval', 'ConnectionTimeOut', 'NoSuchVendorKey']);
  const r = resultsOf(job, pile.id);
  assert.equal(r.heartbeat_interval.status, 'Accepted');
  assert.equal(r.heartbeat_interval.reported_value, '120');
  assert.equal(r.websocket_ping_interval.status, 'RebootRequired');
  assert.equal(r.connection_timeout.status, 'Rejected');
  assert.equal(r['ocpp1.6:NoSuchVendorKey'].status, 'UnknownParameter');

  const reported = await api('GET', `/api/v1/piles/${pile.id}/config`, { token });
  assert.equal(reported.status, 200);
  const hb = reported.json.items.find((e) => e.key === 'HeartbeatInterval');
  assert.equal(hb?.value, '120');
});

test('a strict pile that answers with a CALLERROR gets Rejected with the code', async (t) => {
  const token = await adminToken();
  const pile = await registerPile('E2E-CFG-ERR');
  const client = await strictPile(pile, {
    ChangeConfiguration: () => { throw new rpc.errors.RPCInternalError('flash write failed'); },
    GetConfiguration: () => ({ configurationKey: [] }),
  });
  t.after(() => client.close({ force: true }).catch(() => {}));
  const created = await api('POST', '/api/v1/config-jobs', {
    token, body: { targets: { piles: [pile.id] }, parameters: { heartbeat_interval: 60 } },
  });
  assert.equal(created.status, 202, created.text);
  const job = await completedJob(token, created.json.id);
  const r = resultsOf(job, pile.id);
  assert.equal(r.heartbeat_interval.status, 'Rejected');
  assert.match(r.heartbeat_interval.detail, /InternalError/);
});

test('a pile that never answers times out, and an offline pile is Offline', async (t) => {
  const token = await adminToken();
  const silent = await registerPile('E2E-CFG-SILENT');
  const offline = await registerPile('E2E-CFG-OFF');
  const client = await strictPile(silent, { ChangeConfiguration: () => new Promise(() => {}) });
  t.after(() => client.close({ force: true }).catch(() => {}));
  const created = await api('POST', '/api/v1/config-jobs', {
    token, body: { targets: { piles: [silent.id, offline.id] }, parameters: { heartbeat_interval: 60 } },
  });
  assert.equal(created.status, 202, created.text);
  const job = await completedJob(token, created.json.id);
  assert.equal(resultsOf(job, silent.id).heartbeat_interval.status, 'Timeout');
  assert.equal(resultsOf(job, offline.id).heartbeat_interval.status, 'Offline');
});
