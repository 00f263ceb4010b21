import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkValue, checkRawKey, rangeText } from '../src/validate';
import type { Parameter } from '../src/api';

const p = (o: Partial<Parameter>): Parameter => ({ name: 'x', type: 'integer', mappings: [], ...o });

test('integers are whole numbers inside the catalogue range', () => {
  const hb = p({ type: 'integer', min: 0, max: 86400, unit: 's' });
  assert.deepEqual(checkValue(hb, ' 120 '), { ok: true, value: 120 });
  assert.deepEqual(checkValue(hb, '86401'), { ok: false, error: 'at most 86400 s' });
  assert.deepEqual(checkValue(hb, '-1'), { ok: false, error: 'at least 0 s' });
  assert.equal(checkValue(hb, '1.5').ok, false);
  assert.equal(checkValue(hb, '').ok, false);
  assert.equal(checkValue(hb, '1e3').ok, false);
  assert.equal(rangeText(hb), '0–86400 s');
});

test('booleans, measurand lists and strings', () => {
  assert.deepEqual(checkValue(p({ type: 'boolean' }), 'false'), { ok: true, value: false });
  assert.equal(checkValue(p({ type: 'boolean' }), 'yes').ok, false);
  const ml = p({ type: 'measurand_list', allowed: ['Voltage', 'Power.Active.Import'] });
  assert.deepEqual(checkValue(ml, 'Voltage, Power.Active.Import'), { ok: true, value: ['Voltage', 'Power.Active.Import'] });
  assert.deepEqual(checkValue(ml, 'Voltage,Bogus'), { ok: false, error: 'unknown measurand Bogus' });
  assert.equal(checkValue(p({ type: 'string' }), 'x'.repeat(501)).ok, false);
  assert.deepEqual(checkValue(p({ type: 'number', min: 0, max: 1 }), '0.5'), { ok: true, value: 0.5 });
});

test('raw vendor keys name their protocol', () => {
  assert.equal(checkRawKey('ocpp1.6:NumberOfConnectors'), null);
  assert.notEqual(checkRawKey('NumberOfConnectors'), null);
  assert.notEqual(checkRawKey('ocpp1.6:bad key'), null);
});
