// Suite (a): a complete charging session from an independent, schema-strict OCPP 1.6 client
// (ocpp-rpc, strictMode: every request it sends and every response it receives is validated
// against the official schemas), then the same session as the REST API reports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import rpc from 'ocpp-rpc';
import { OCPP_URL, adminToken, api, eventually, registerIdTag, registerPile, uniqueId } from './lib.mjs';

const { RPCClient } = rpc;

const MEASURANDS = [
  // measurand, phase, unit, location, value
  ['Energy.Active.Import.Register', null, 'Wh', 'Outlet'],
  ['Power.Active.Import', null, 'W', 'Outlet'],
  ['Current.Import', 'L1', 'A', 'Outlet'],
  ['Current.Import', 'L2', 'A', 'Outlet'],
  ['Current.Import', 'L3', 'A', 'Outlet'],
  ['Voltage', 'L1-N', 'V', 'Outlet'],
  ['Voltage', 'L2-N', 'V', 'Outlet'],
  ['Voltage', 'L3-N', 'V', 'Outlet'],
  ['Temperature', null, 'Celsius', 'Body'],
  ['SoC', null, 'Percent', 'EV'],
];

function sampled(step, energyWh) {
  const values = {
    'Energy.Active.Import.Register': energyWh,
    'Power.Active.Import': 11000 - step * 10,
    'Current.Import': 15.9 + step / 100,
    Voltage: 230 + step / 10,
    Temperature: 25 + step,
    SoC: 40 + step,
  };
  return MEASURANDS.map(([measurand, phase, unit, location]) => ({
    value: String(values[measurand]), context: 'Sample.Periodic', format: 'Raw', measurand, unit, location,
    ...(phase ? { phase } : {}),
  }));
}

test('a strict OCPP 1.6 pile boots, charges, reports and stops; REST shows every step', async (t) => {
  const token = await adminToken();
  const pile = await registerPile('E2E-FLOW');
  const idTag = uniqueId('T').slice(0, 20);
  await registerIdTag(idTag);

  const client = new RPCClient({
    endpoint: OCPP_URL, identity: pile.id, password: pile.password, protocols: ['ocpp1.6'],
    strictMode: true, reconnect: false, callTimeoutMs: 10000,
  });
  await client.connect();
  t.after(() => client.close({ force: true }).catch(() => {}));
  assert.equal(client.protocol, 'ocpp1.6');

  const meterStart = 125000;
  let transactionId;

  await t.test('BootNotification is Accepted with a heartbeat interval', async () => {
    const boot = await client.call('BootNotification', {
      chargePointVendor: 'E2E-Vendor', chargePointModel: 'E2E-Model-22', chargePointSerialNumber: 'SN-E2E-1',
      firmwareVersion: '4.5.6', meterType: 'E2E-Meter', meterSerialNumber: 'MSN-1',
    });
    assert.equal(boot.status, 'Accepted');
    assert.ok(Number.isInteger(boot.interval) && boot.interval > 0, `interval ${boot.interval}`);
    assert.ok(!Number.isNaN(Date.parse(boot.currentTime)));
  });

  await t.test('StatusNotification for connectors 0..2 and a Heartbeat', async () => {
    for (const connectorId of [0, 1, 2]) {
      assert.deepEqual(await client.call('StatusNotification',
        { connectorId, errorCode: 'NoError', status: 'Available', timestamp: new Date().toISOString() }), {});
    }
    const hb = await client.call('Heartbeat', {});
    assert.ok(!Number.isNaN(Date.parse(hb.currentTime)));
  });

  await t.test('REST: the pile is online with its vendor, model, serial and firmware', async () => {
    const p = await eventually(async () => {
      const r = await api('GET', `/api/v1/piles/${pile.id}`, { token });
      return r.status === 200 && r.json.online && r.json.vendor === 'E2E-Vendor' ? r.json : null;
    });
    assert.ok(p, 'pile never showed online with its vendor');
    assert.equal(p.id, pile.id);
    assert.equal(p.protocol, 'ocpp1.6');
    assert.equal(p.online, true);
    assert.equal(p.registration, 'Accepted');
    assert.equal(p.vendor, 'E2E-Vendor');
    assert.equal(p.model, 'E2E-Model-22');
    assert.equal(p.serial, 'SN-E2E-1');
    assert.equal(p.firmware, '4.5.6');
    const list = await api('GET', '/api/v1/piles?online=true&limit=1000', { token });
    assert.equal(list.status, 200);
    assert.ok(list.json.items.some((x) => x.id === pile.id));
  });

  await t.test('Authorize accepts the registered id tag and refuses an unknown one', async () => {
    const ok = await client.call('Authorize', { idTag });
    assert.equal(ok.idTagInfo.status, 'Accepted');
    const unknown = await client.call('Authorize', { idTag: uniqueId('NOPE').slice(0, 20) });
    assert.equal(unknown.idTagInfo.status, 'Invalid');
  });

  await t.test('Preparing, StartTransaction, Charging', async () => {
    await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    const start = await client.call('StartTransaction',
      { connectorId: 1, idTag, meterStart, timestamp: new Date().toISOString() });
    assert.equal(start.idTagInfo.status, 'Accepted');
    assert.ok(Number.isInteger(start.transactionId), `transactionId ${start.transactionId}`);
    transactionId = start.transactionId;
    await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
  });

  await t.test('REST: connector 1 is Charging in the transaction, connector 2 Available', async () => {
    const items = await eventually(async () => {
      const r = await api('GET', `/api/v1/piles/${pile.id}/connectors`, { token });
      const c1 = r.json?.items?.find((c) => c.connector === 1);
      return c1?.status === 'Charging' ? r.json.items : null;
    });
    assert.ok(items, 'connector 1 never showed Charging');
    const c1 = items.find((c) => c.connector === 1);
    assert.equal(c1.transaction, transactionId);
    assert.equal(c1.error_code, 'NoError');
    assert.equal(items.find((c) => c.connector === 2).status, 'Available');
  });

  await t.test('MeterValues with every measurand, three times', async () => {
    for (let step = 1; step <= 3; step++) {
      const reply = await client.call('MeterValues', {
        connectorId: 1, transactionId,
        meterValue: [{ timestamp: new Date(Date.now() + step).toISOString(), sampledValue: sampled(step, meterStart + step * 500) }],
      });
      assert.deepEqual(reply, {});
    }
  });

  await t.test('StopTransaction with reason and transactionData, then Finishing and Available', async () => {
    const now = new Date().toISOString();
    const stop = await client.call('StopTransaction', {
      transactionId, idTag, meterStop: meterStart + 2000, timestamp: now, reason: 'Local',
      transactionData: [
        { timestamp: now, sampledValue: [{ value: String(meterStart + 2000), context: 'Transaction.End',
          measurand: 'Energy.Active.Import.Register', unit: 'Wh', location: 'Outlet' }] },
      ],
    });
    assert.equal(stop.idTagInfo?.status ?? 'Accepted', 'Accepted');
    await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing' });
    await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  });

  await t.test('REST: the transaction has meterStart, meterStop and reason', async () => {
    const tx = await eventually(async () => {
      const r = await api('GET', `/api/v1/transactions?pile=${pile.id}`, { token });
      return r.json?.items?.find((x) => x.id === transactionId && x.stopped);
    });
    assert.ok(tx, 'stopped transaction not listed');
    assert.equal(tx.pile, pile.id);
    assert.equal(tx.connector, 1);
    assert.equal(tx.id_tag, idTag);
    assert.equal(tx.meter_start_wh, meterStart);
    assert.equal(tx.meter_stop_wh, meterStart + 2000);
    assert.equal(tx.stop_reason, 'Local');
    assert.ok(!Number.isNaN(Date.parse(tx.started)) && !Number.isNaN(Date.parse(tx.stopped)));
  });

  await t.test('REST: connector 1 is Available again, with its last values', async () => {
    const items = await eventually(async () => {
      const r = await api('GET', `/api/v1/piles/${pile.id}/connectors`, { token });
      const c1 = r.json?.items?.find((c) => c.connector === 1);
      return c1?.status === 'Available' ? r.json.items : null;
    });
    assert.ok(items, 'connector 1 never went back to Available');
    const last = items.find((c) => c.connector === 1).last_values;
    assert.equal(last['Voltage.L1-N'].unit, 'V');
    assert.equal(last['Current.Import.L3'].unit, 'A');
    assert.equal(last['Power.Active.Import'].unit, 'W');
  });

  await t.test('REST: telemetry rows carry measurand, phase, unit and value', async () => {
    const expectRows = async (measurand, phases, unit, min) => {
      const r = await api('GET', `/api/v1/piles/${pile.id}/telemetry?measurand=${encodeURIComponent(measurand)}&limit=100`, { token });
      assert.equal(r.status, 200, r.text);
      const rows = r.json.items;
      assert.ok(rows.length >= min, `${measurand}: ${rows.length} rows, want >= ${min}`);
      for (const row of rows) {
        assert.equal(row.measurand, measurand);
        assert.equal(row.unit, unit);
        assert.equal(typeof row.value, 'number');
        assert.ok(phases.includes(row.phase), `${measurand} phase ${row.phase}`);
        if (row.context === 'Sample.Periodic') assert.equal(row.connector, 1);
      }
      return rows;
    };
    const energy = await expectRows('Energy.Active.Import.Register', ['', null], 'Wh', 3);
    assert.ok(energy.some((r) => r.value === meterStart + 1500 && r.transaction === transactionId));
    await expectRows('Power.Active.Import', ['', null], 'W', 3);
    const amps = await expectRows('Current.Import', ['L1', 'L2', 'L3'], 'A', 9);
    assert.deepEqual([...new Set(amps.map((r) => r.phase))].sort(), ['L1', 'L2', 'L3']);
    const volts = await expectRows('Voltage', ['L1-N', 'L2-N', 'L3-N'], 'V', 9);
    assert.ok(volts.some((r) => r.value === 230.3 && r.phase === 'L2-N'));
    await expectRows('Temperature', ['', null], 'Celsius', 3);
    const soc = await expectRows('SoC', ['', null], 'Percent', 3);
    assert.deepEqual(soc.map((r) => r.value).filter((v) => v >= 41 && v <= 43).sort(), [41, 42, 43]);
  });

  await t.test('REST: the pile is offline after the client disconnects', async () => {
    await client.close({ code: 1000 });
    const offline = await eventually(async () => {
      const r = await api('GET', `/api/v1/piles/${pile.id}`, { token });
      return r.json?.online === false;
    });
    assert.ok(offline, 'pile still online after close');
  });
});
