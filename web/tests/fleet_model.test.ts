import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetModel, pileStatus } from '../src/fleet_model';
import type { Pile } from '../src/api';

const pile = (id: string, protocol: string, online: boolean, statuses: string[]): Pile => ({
  id, protocol, online, registration: 'Accepted', vendor: 'V', model: 'M', serial: '', firmware: '',
  remote_address: null, connected_since: null, last_seen: null, last_boot: null,
  connectors: statuses.map((status, i) => ({ connector: i + 1, status, error_code: 'NoError', updated: null, transaction: null })),
});
const noFilter = { text: '', protocol: '', online: '', status: '' };

test('a pile is what its most notable connector is, Offline when disconnected', () => {
  const c = (...s: string[]) => new Map(s.map((x, i) => [i + 1, x]));
  assert.equal(pileStatus({ online: true, connectors: c('Available', 'Charging') }), 'Charging');
  assert.equal(pileStatus({ online: true, connectors: c('Charging', 'Faulted') }), 'Faulted');
  assert.equal(pileStatus({ online: false, connectors: c('Charging') }), 'Offline');
  assert.equal(pileStatus({ online: true, connectors: new Map() }), 'Unknown');
  // connector 0 (the pile itself) does not count when there are real connectors
  assert.equal(pileStatus({ online: true, connectors: new Map([[0, 'Faulted'], [1, 'Available']]) }), 'Available');
});

test('counts by protocol follow events', () => {
  const m = new FleetModel();
  m.load([pile('A', 'ocpp1.6', true, ['Available']), pile('B', 'ocpp1.6', true, ['Charging']), pile('C', 'ykc', false, ['Available'])]);
  let c = m.counts();
  assert.deepEqual(c.get('all'), { total: 3, online: 2, offline: 1, charging: 1, faulted: 0 });
  assert.deepEqual(c.get('ykc'), { total: 1, online: 0, offline: 1, charging: 0, faulted: 0 });
  const changed = m.apply([
    { type: 'connector.status', pile: 'A', at: '2026-11-22T10:00:00Z', connector: 1, status: 'Faulted' },
    { type: 'pile.online', pile: 'C', at: '2026-11-22T10:00:01Z' },
    { type: 'pile.offline', pile: 'B', at: '2026-11-22T10:00:02Z' },
    { type: 'connector.status', pile: 'UNKNOWN', at: '2026-11-22T10:00:03Z', connector: 1, status: 'Charging' },
    { type: 'telemetry', pile: 'A', at: '2026-11-22T10:00:04Z' },
  ]);
  assert.deepEqual([...changed].sort(), ['A', 'B', 'C']);
  assert.equal(m.unknown, 1, 'an event from a pile not loaded yet is noticed');
  c = m.counts();
  assert.deepEqual(c.get('all'), { total: 3, online: 2, offline: 1, charging: 0, faulted: 1 });
  assert.equal(m.rows.get('A')!.status, 'Faulted');
  assert.equal(m.rows.get('C')!.last_seen, '2026-11-22T10:00:01Z');
});

test('the view filters, sorts and is rebuilt only when stale', () => {
  const m = new FleetModel();
  m.load([pile('CP-2', 'ocpp1.6', true, ['Charging']), pile('CP-1', 'ocpp1.6', false, ['Available']), pile('X-9', 'ykc', true, ['Available'])]);
  assert.deepEqual(m.filtered(noFilter, 'id', 1).map((r) => r.id), ['CP-1', 'CP-2', 'X-9']);
  m.invalidate();
  assert.deepEqual(m.filtered(noFilter, 'id', -1).map((r) => r.id), ['X-9', 'CP-2', 'CP-1']);
  m.invalidate();
  assert.deepEqual(m.filtered({ ...noFilter, text: 'cp-' }, 'id', 1).map((r) => r.id), ['CP-1', 'CP-2']);
  m.invalidate();
  assert.deepEqual(m.filtered({ ...noFilter, status: 'Offline' }, 'id', 1).map((r) => r.id), ['CP-1']);
  m.invalidate();
  assert.deepEqual(m.filtered({ ...noFilter, status: 'Available' }, 'id', 1).map((r) => r.id), ['X-9']);
  m.invalidate();
  const view = m.filtered({ ...noFilter, protocol: 'ocpp1.6' }, 'status', 1);
  assert.deepEqual(view.map((r) => r.id), ['CP-2', 'CP-1']); // "Charging" < "Offline"
  assert.equal(m.filtered({ ...noFilter, protocol: 'ocpp1.6' }, 'status', 1), view, 'not stale: the same array');
  m.apply([{ type: 'connector.status', pile: 'CP-2', at: 'x', connector: 1, status: 'Available' }]);
  assert.equal(m.stale, true, 'a status change makes the order stale');
});
