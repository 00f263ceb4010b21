// Suite (b): what the server answers a pile that breaks the rules (OCPP-J 1.6 §4.2.3 error
// codes, spelled as OCPP 1.6 spells them), and how it treats connections that must not get in.
// A raw `ws` client sends exactly the bytes under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawPile, registerPile, sleep, upgrade } from './lib.mjs';

let shared;
async function bootedPile() {
  if (!shared) shared = await registerPile('E2E-ERR');
  const p = await RawPile.open(shared);
  await p.boot();
  return p;
}

// Sends `text` and expects exactly [4, id, code, <string>, {<object>}].
async function expectCallError(text, id, codes) {
  const p = await bootedPile();
  try {
    p.send(text);
    const reply = await p.nextJson();
    assert.equal(reply.length, 5, `CALLERROR has 5 elements: ${JSON.stringify(reply)}`);
    assert.equal(reply[0], 4);
    assert.equal(reply[1], id);
    const allowed = Array.isArray(codes) ? codes : [codes];
    assert.ok(allowed.includes(reply[2]), `error code ${reply[2]}, want ${allowed.join(' or ')}`);
    assert.equal(typeof reply[3], 'string');
    assert.equal(typeof reply[4], 'object');
    assert.ok(reply[4] !== null && !Array.isArray(reply[4]));
    // The connection survives a rejected message: the next CALL is answered normally.
    const hb = await p.call('Heartbeat', {}, 'after-error');
    assert.deepEqual([hb[0], hb[1]], [3, 'after-error']);
    return reply;
  } finally {
    p.close();
  }
}

test('text that is not JSON: ProtocolError (or FormationViolation) for message id "-1"', async () => {
  await expectCallError('this is not json', '-1', ['ProtocolError', 'FormationViolation']);
});

test('a JSON object instead of an array: error for message id "-1"', async () => {
  await expectCallError('{"action":"Heartbeat"}', '-1', ['ProtocolError', 'FormationViolation']);
});

test('a CALL with a readable id but the wrong array shape: FormationViolation for that id', async () => {
  await expectCallError('[2,"shape-1","Heartbeat"]', 'shape-1', 'FormationViolation');
  await expectCallError('[2,"shape-2","Heartbeat",{},"extra"]', 'shape-2', 'FormationViolation');
  await expectCallError('[2,"shape-3",17,{}]', 'shape-3', 'FormationViolation');
});

test('a payload that is not an object: FormationViolation', async () => {
  await expectCallError('[2,"payload-1","Heartbeat",[]]', 'payload-1', 'FormationViolation');
});

test('an unknown action: NotImplemented', async () => {
  await expectCallError('[2,"unknown-1","MakeCoffee",{}]', 'unknown-1', 'NotImplemented');
});

test('a Central System action sent by a pile (Reset): NotSupported', async () => {
  await expectCallError('[2,"reset-1","Reset",{"type":"Hard"}]', 'reset-1', 'NotSupported');
});

test('a missing required field: OccurenceConstraintViolation', async () => {
  await expectCallError(JSON.stringify([2, 'missing-1', 'StatusNotification', { connectorId: 1, errorCode: 'NoError' }]),
    'missing-1', 'OccurenceConstraintViolation');
  await expectCallError(JSON.stringify([2, 'missing-2', 'Authorize', {}]), 'missing-2', 'OccurenceConstraintViolation');
});

test('a field of the wrong type: TypeConstraintViolation', async () => {
  await expectCallError(JSON.stringify([2, 'type-1', 'StatusNotification', { connectorId: 'one', errorCode: 'NoError', status: 'Available' }]),
    'type-1', 'TypeConstraintViolation');
  await expectCallError(JSON.stringify([2, 'type-2', 'Authorize', { idTag: 42 }]), 'type-2', 'TypeConstraintViolation');
});

test('a value outside its enumeration: PropertyConstraintViolation', async () => {
  await expectCallError(JSON.stringify([2, 'enum-1', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Dancing' }]),
    'enum-1', 'PropertyConstraintViolation');
});

test('a string over its maxLength: PropertyConstraintViolation', async () => {
  await expectCallError(JSON.stringify([2, 'len-1', 'Authorize', { idTag: 'X'.repeat(21) }]), 'len-1', 'PropertyConstraintViolation');
  await expectCallError(JSON.stringify([2, 'len-2', 'BootNotification', { chargePointVendor: 'V'.repeat(21), chargePointModel: 'M' }]),
    'len-2', 'PropertyConstraintViolation');
});

test('a property the schema does not define: FormationViolation', async () => {
  await expectCallError(JSON.stringify([2, 'extra-1', 'Heartbeat', { surprise: true }]), 'extra-1', 'FormationViolation');
});

test('a message over 64 KiB: the socket is closed with 1009', async () => {
  const p = await bootedPile();
  const big = JSON.stringify([2, 'big-1', 'DataTransfer', { vendorId: 'E2E', data: 'x'.repeat(70 * 1024) }]);
  p.send(big);
  const closed = await Promise.race([p.closed, sleep(5000).then(() => null)]);
  assert.ok(closed, 'socket not closed within 5 s');
  assert.equal(closed.code, 1009);
});

test('a text frame that is not valid UTF-8: the socket is closed with 1007', async () => {
  // RFC 6455 §8.1: the WebSocket layer refuses it, so the JSON parser never sees invalid text.
  const p = await bootedPile();
  const good = Buffer.from(JSON.stringify([2, 'utf-1', 'DataTransfer', { vendorId: 'E2E', data: 'XX' }]));
  const bad = Buffer.from(good);
  bad[bad.indexOf('XX')] = 0xc3; bad[bad.indexOf('X')] = 0x28;  // 0xC3 0x28: a broken 2-byte sequence
  p.ws.send(bad, { binary: false });
  const closed = await Promise.race([p.closed, sleep(5000).then(() => null)]);
  assert.ok(closed, 'socket not closed within 5 s');
  assert.equal(closed.code, 1007);
});

test('a wrong password: HTTP 401 before the upgrade', async () => {
  const pile = await registerPile('E2E-AUTH');
  const r = await upgrade(pile.id, { password: `${pile.password}-wrong` });
  assert.equal(r.ws, undefined, 'upgrade must not succeed');
  assert.equal(r.status, 401);
  assert.match(String(r.headers['www-authenticate']), /^Basic/);
});

test('no credentials: HTTP 401 before the upgrade', async () => {
  const pile = await registerPile('E2E-AUTH');
  const r = await upgrade(pile.id, {});
  assert.equal(r.status, 401);
});

test('an unknown pile: HTTP 401 (indistinguishable from a wrong password)', async () => {
  const r = await upgrade('E2E-NOT-REGISTERED-0001', { password: 'a-password-of-24-chars!!' });
  assert.equal(r.status, 401);
});

test('no subprotocol offered: the upgrade is refused with HTTP 400', async () => {
  const pile = await registerPile('E2E-PROTO');
  const r = await upgrade(pile.id, { password: pile.password, protocols: [] });
  assert.equal(r.ws, undefined, 'upgrade must not succeed');
  assert.equal(r.status, 400);
  const other = await upgrade(pile.id, { password: pile.password, protocols: ['ocpp9.9'] });
  assert.equal(other.status, 400);
});

test('the server selects ocpp1.6 when offered among others', async () => {
  const pile = await registerPile('E2E-PROTO');
  const r = await upgrade(pile.id, { password: pile.password, protocols: ['ocpp9.9', 'ocpp1.6'] });
  assert.ok(r.ws, `upgrade declined: ${r.status}`);
  assert.equal(r.ws.protocol, 'ocpp1.6');
  r.ws.close();
});

test('a second connection with the same id replaces the first', async () => {
  const pile = await registerPile('E2E-TWICE');
  const first = await RawPile.open(pile);
  await first.boot();
  const second = await RawPile.open(pile);
  const closed = await Promise.race([first.closed, sleep(5000).then(() => null)]);
  assert.ok(closed, 'first connection not closed within 5 s');
  assert.equal(closed.code, 1000);
  await second.boot();
  const hb = await second.call('Heartbeat', {}, 'second-1');
  assert.equal(hb[0], 3);
  assert.equal(hb[1], 'second-1');
  assert.ok(!Number.isNaN(Date.parse(hb[2].currentTime)));
  second.close();
});
