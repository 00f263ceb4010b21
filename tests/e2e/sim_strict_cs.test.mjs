// Suite (c): the pile simulator (`chargeplane sim`) against an independent, schema-strict
// OCPP 1.6 central system (ocpp-rpc RPCServer, strictMode): everything the simulator sends and
// every answer it gives to server-initiated CALLs is validated against the official schemas.
// Needs no chargeplane server. CP_SIM_BINARY (default: CP_BINARY) is run as `<bin> sim ...`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import rpc from 'ocpp-rpc';

const { RPCServer } = rpc;
const bin = process.env.CP_SIM_BINARY || process.env.CP_BINARY;

function recorder() {
  const seen = [];
  const waiters = [];
  return {
    seen,
    push(action, params) {
      seen.push({ action, params });
      for (const w of [...waiters]) if (w.match(action, params)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(params); }
    },
    // Resolves with the params of the next matching call (or a matching one already seen after `from`).
    wait(match, from = 0, timeoutMs = 15000) {
      const hit = seen.slice(from).find((s) => match(s.action, s.params));
      if (hit) return Promise.resolve(hit.params);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('expected call not seen')), timeoutMs);
        waiters.push({ match, resolve: (p) => { clearTimeout(timer); resolve(p); } });
      });
    },
  };
}

test('the simulator speaks schema-valid OCPP 1.6 and answers server-initiated CALLs', { skip: !bin && 'CP_BINARY not set' }, async (t) => {
  const server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
  const calls = recorder();
  let client;
  let connections = 0;
  const connected = [];
  let txSeq = 776;
  server.auth((accept, reject, handshake) => {
    const expected = `Basic ${Buffer.from(`${handshake.identity}:sim-e2e-password-0001`).toString('base64')}`;
    if (handshake.headers.authorization !== expected) return reject(401);
    accept({});
  });
  server.on('client', (c) => {
    client = c;
    connections++;
    connected.forEach((f) => f(c));
    const on = (action, answer) => c.handle(action, ({ params }) => { calls.push(action, params); return answer(params); });
    on('BootNotification', () => ({ status: 'Accepted', currentTime: new Date().toISOString(), interval: 120 }));
    on('Heartbeat', () => ({ currentTime: new Date().toISOString() }));
    on('StatusNotification', () => ({}));
    on('Authorize', () => ({ idTagInfo: { status: 'Accepted' } }));
    on('StartTransaction', () => ({ transactionId: ++txSeq, idTagInfo: { status: 'Accepted' } }));
    on('MeterValues', () => ({}));
    on('StopTransaction', () => ({ idTagInfo: { status: 'Accepted' } }));
    on('DiagnosticsStatusNotification', () => ({}));
    on('FirmwareStatusNotification', () => ({}));
  });
  const http = await server.listen(0, '127.0.0.1');
  const port = http.address().port;
  const sim = spawn(bin, ['sim', '--url', `ws://127.0.0.1:${port}/ocpp`, '--piles', '1', '--prefix', 'SIMT',
    '--password', 'sim-e2e-password-0001', '--interval', '1', '--duration', '120', '--seed', '7'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let simOutput = '';
  sim.stdout.on('data', (d) => { simOutput += d; });
  sim.stderr.on('data', (d) => { simOutput += d; });
  t.after(async () => {
    sim.kill('SIGTERM');
    await server.close({ force: true });
  });

  await t.test('boots, then reports connectors 0..2', async () => {
    const boot = await calls.wait((a) => a === 'BootNotification');
    assert.equal(typeof boot.chargePointVendor, 'string');
    for (const id of [0, 1, 2]) await calls.wait((a, p) => a === 'StatusNotification' && p.connectorId === id);
    assert.equal(client.identity, 'SIMT-00001');
  });

  await t.test('GetConfiguration returns the key set, with the heartbeat interval from boot', async () => {
    const all = await client.call('GetConfiguration', {});
    const keys = Object.fromEntries(all.configurationKey.map((k) => [k.key, k]));
    assert.equal(keys.HeartbeatInterval.value, '120');
    assert.equal(keys.NumberOfConnectors.value, '2');
    assert.equal(keys.NumberOfConnectors.readonly, true);
    assert.ok(keys.MeterValuesSampledData.value.includes('Voltage'));
    const some = await client.call('GetConfiguration', { key: ['MeterValueSampleInterval', 'NoSuchKey'] });
    assert.deepEqual(some.configurationKey, [{ key: 'MeterValueSampleInterval', readonly: false, value: '1' }]);
    assert.deepEqual(some.unknownKey, ['NoSuchKey']);
  });

  await t.test('ChangeConfiguration: Accepted, Rejected, NotSupported, RebootRequired', async () => {
    assert.equal((await client.call('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '2' })).status, 'Accepted');
    assert.equal((await client.call('ChangeConfiguration', { key: 'NumberOfConnectors', value: '4' })).status, 'Rejected');
    assert.equal((await client.call('ChangeConfiguration', { key: 'HeartbeatInterval', value: 'soon' })).status, 'Rejected');
    assert.equal((await client.call('ChangeConfiguration', { key: 'NoSuchKey', value: '1' })).status, 'NotSupported');
    assert.equal((await client.call('ChangeConfiguration', { key: 'WebSocketPingInterval', value: '30' })).status, 'RebootRequired');
  });

  await t.test('TriggerMessage sends the requested message', async () => {
    const from = calls.seen.length;
    assert.equal((await client.call('TriggerMessage', { requestedMessage: 'Heartbeat' })).status, 'Accepted');
    await calls.wait((a) => a === 'Heartbeat', from);
    assert.equal((await client.call('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 2 })).status, 'Accepted');
    await calls.wait((a, p) => a === 'StatusNotification' && p.connectorId === 2, from);
    assert.equal((await client.call('TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 9 })).status, 'Rejected');
  });

  await t.test('RemoteStart runs a session with the given id tag; RemoteStop ends it with reason Remote', async () => {
    const from = calls.seen.length;
    assert.equal((await client.call('RemoteStartTransaction', { connectorId: 2, idTag: 'REMOTE-1' })).status, 'Accepted');
    const start = await calls.wait((a, p) => a === 'StartTransaction' && p.connectorId === 2, from);
    assert.equal(start.idTag, 'REMOTE-1');
    const txId = txSeq;
    const mv = await calls.wait((a, p) => a === 'MeterValues' && p.transactionId === txId, from);
    const measurands = new Set(mv.meterValue[0].sampledValue.map((s) => s.measurand));
    for (const m of ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'Temperature', 'SoC'])
      assert.ok(measurands.has(m), `missing ${m}`);
    assert.equal((await client.call('RemoteStopTransaction', { transactionId: 999999 })).status, 'Rejected');
    assert.equal((await client.call('RemoteStopTransaction', { transactionId: txId })).status, 'Accepted');
    const stop = await calls.wait((a, p) => a === 'StopTransaction' && p.transactionId === txId, from);
    assert.equal(stop.reason, 'Remote');
    assert.ok(stop.meterStop >= start.meterStart);
    assert.equal(stop.transactionData.at(-1).sampledValue[0].context, 'Transaction.End');
  });

  await t.test('AuthorizeRemoteTxRequests makes a remote start Authorize first; ChargePointMaxProfile caps the current', async () => {
    assert.equal((await client.call('ChangeConfiguration', { key: 'AuthorizeRemoteTxRequests', value: 'true' })).status, 'Accepted');
    const from = calls.seen.length;
    assert.equal((await client.call('RemoteStartTransaction', { idTag: 'REMOTE-2' })).status, 'Accepted');
    await calls.wait((a, p) => a === 'Authorize' && p.idTag === 'REMOTE-2', from);
    const start = await calls.wait((a, p) => a === 'StartTransaction' && p.idTag === 'REMOTE-2', from);
    const txId = txSeq;
    // 1 A per phase: far below what any simulated EV draws even early in its ramp, so an
    // uncapped session would show it.
    const limitA = 1;
    const profile = {
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: 900001, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', chargingProfileKind: 'Absolute',
        chargingSchedule: { startSchedule: new Date().toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitA }] },
      },
    };
    assert.equal((await client.call('SetChargingProfile', { ...profile, connectorId: 1 })).status, 'Rejected');
    assert.equal((await client.call('SetChargingProfile', profile)).status, 'Accepted');
    const after = calls.seen.length;
    const currents = (p) => p.meterValue[0].sampledValue.filter((s) => s.measurand === 'Current.Import').map((s) => Number(s.value));
    // Skip one MeterValues (it may have been taken before the limit), then every phase stays under it.
    await calls.wait((a, p) => a === 'MeterValues' && p.transactionId === txId, after);
    const next = calls.seen.length;
    const capped = await calls.wait((a, p) => a === 'MeterValues' && p.transactionId === txId, next);
    assert.ok(currents(capped).length > 0);
    for (const amps of currents(capped)) assert.ok(amps <= limitA * 1.05, `phase current ${amps} A above the ${limitA} A limit`);
    assert.equal((await client.call('RemoteStopTransaction', { transactionId: txId })).status, 'Accepted');
    await calls.wait((a, p) => a === 'StopTransaction' && p.transactionId === txId, from);
    assert.equal(start.connectorId >= 1, true);
    assert.equal((await client.call('ClearChargingProfile', { chargingProfilePurpose: 'ChargePointMaxProfile' })).status, 'Accepted');
    assert.equal((await client.call('ChangeConfiguration', { key: 'AuthorizeRemoteTxRequests', value: 'false' })).status, 'Accepted');
  });

  await t.test('UpdateFirmware and GetDiagnostics answer at once and report progress; DataTransfer is UnknownVendorId', async () => {
    const from = calls.seen.length;
    assert.deepEqual(await client.call('UpdateFirmware', { location: 'https://fw.example/sim.bin', retrieveDate: new Date().toISOString() }), {});
    for (const status of ['Downloading', 'Downloaded', 'Installing', 'Installed'])
      await calls.wait((a, p) => a === 'FirmwareStatusNotification' && p.status === status, from);
    const diagnostics = await client.call('GetDiagnostics', { location: 'ftp://logs.example/' });
    assert.equal(diagnostics.fileName, 'diagnostics-SIMT-00001.log');
    for (const status of ['Uploading', 'Uploaded'])
      await calls.wait((a, p) => a === 'DiagnosticsStatusNotification' && p.status === status, from);
    assert.equal((await client.call('DataTransfer', { vendorId: 'com.example', messageId: 'ping' })).status, 'UnknownVendorId');
  });

  await t.test('UnlockConnector, ChangeAvailability, ClearCache', async () => {
    assert.equal((await client.call('UnlockConnector', { connectorId: 1 })).status, 'Unlocked');
    assert.equal((await client.call('UnlockConnector', { connectorId: 9 })).status, 'NotSupported');
    const from = calls.seen.length;
    const av = await client.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' });
    assert.ok(['Accepted', 'Scheduled'].includes(av.status));
    if (av.status === 'Accepted') await calls.wait((a, p) => a === 'StatusNotification' && p.connectorId === 1 && p.status === 'Unavailable', from);
    assert.equal((await client.call('ChangeAvailability', { connectorId: 7, type: 'Operative' })).status, 'Rejected');
    assert.equal((await client.call('ClearCache', {})).status, 'Accepted');
  });

  await t.test('an action the pile does not implement gets a CALLERROR', async () => {
    await assert.rejects(client.call('GetLocalListVersion', {}), (e) => e.rpcErrorCode === 'NotSupported');
  });

  await t.test('Reset: the pile reconnects and boots again', async () => {
    const from = calls.seen.length;
    const before = connections;
    assert.equal((await client.call('Reset', { type: 'Soft' })).status, 'Accepted');
    await calls.wait((a) => a === 'BootNotification', from, 20000);
    assert.equal(connections, before + 1);
  });

  await t.test('SIGTERM stops the simulator cleanly with a summary', async () => {
    const exited = new Promise((resolve) => sim.once('exit', (code) => resolve(code)));
    sim.kill('SIGTERM');
    assert.equal(await exited, 0, simOutput);
  });
});
