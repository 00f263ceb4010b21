import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perPileHour } from '../src/pages/policy';

test('the load estimate counts heartbeats and stored values per pile and hour', () => {
  assert.deepEqual(perPileHour({ sample_interval_s: 60, heartbeat_interval_s: 300, aligned_interval_s: 0, measurands: ['A', 'B'] }),
    { heartbeats: 12, rows: 60, values: 120 });
  // 0 = not limited: the pile's own rate, assumed 60 s; all measurands: assumed 6
  assert.deepEqual(perPileHour({ sample_interval_s: 0, heartbeat_interval_s: 0, aligned_interval_s: 900, measurands: null }),
    { heartbeats: 0, rows: 64, values: 384 });
});
