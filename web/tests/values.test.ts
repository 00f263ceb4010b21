import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Combined, keyIsOf, valueKey } from '../src/values';

test('value keys keep phases and non-default locations apart, as the server does', () => {
  assert.equal(valueKey('Voltage', 'L1-N'), 'Voltage.L1-N');
  assert.equal(valueKey('Temperature', '', 'Cable'), 'Temperature@Cable');
  assert.equal(valueKey('Temperature', null, 'Outlet'), 'Temperature');
  assert.equal(valueKey('Temperature'), 'Temperature');
  assert.equal(valueKey('Current.Import', 'L2', 'EV'), 'Current.Import.L2@EV');
});

test('a key belongs to its measurand only', () => {
  assert.ok(keyIsOf('Temperature@EV', 'Temperature'));
  assert.ok(keyIsOf('Current.Import.L1', 'Current.Import'));
  assert.ok(!keyIsOf('Current.Import.L1', 'Current.Export'));
  assert.ok(!keyIsOf('Power.Active.Import', 'Power.Active'));  // a prefix of another name is not it
  assert.ok(!keyIsOf('Energy.Active.Import.Register', 'Energy.Active.Import'));
});

test('values combine by sum, average or maximum', () => {
  const c = new Combined();
  assert.equal(c.value('max'), null);
  for (const v of [41, 33, 28]) c.add(v);
  assert.equal(c.value('max'), 41);
  assert.equal(c.value('sum'), 102);
  assert.equal(c.value('average'), 34);
});
