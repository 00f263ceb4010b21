import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobModel, pageOf } from '../src/job_model';
import type { JobPile, JobResult } from '../src/api';

const result = (parameter: string, status: string): JobResult =>
  ({ parameter, value: '1', status, detail: '', reported_value: null, updated: '2026-12-07T10:00:00Z' });
const pile = (id: string, state: string, ...results: JobResult[]): JobPile =>
  ({ pile: id, state, attempts: 1, updated: '2026-12-07T10:00:00Z', results });

function model(): JobModel {
  const m = new JobModel();
  m.setParameters(['a', 'b']);
  m.addPiles([pile('P1', 'Answered', result('a', 'Accepted'), result('b', 'Rejected')),
    pile('P2', 'Answered', result('a', 'Accepted'), result('b', 'Accepted')),
    pile('P3', 'Sending', result('a', 'Pending'))]);
  return m;
}

test('counts results by status and knows which piles failed', () => {
  const m = model();
  assert.deepEqual(m.counts(), [['Accepted', 3], ['Pending', 1], ['Rejected', 1]]);
  assert.equal(m.failed('P1'), true);
  assert.equal(m.failed('P2'), false);
  assert.equal(m.anyFailed(), true);
  assert.deepEqual(m.view(true), ['P1']);
  assert.deepEqual(m.view(false), ['P1', 'P2', 'P3']);
});

test('events and later REST pages update entries in place, keeping the job order', () => {
  const m = model();
  m.setResult('P3', result('a', 'Timeout'));
  assert.equal(m.setPileState('P3', 'Failed'), true);
  assert.equal(m.setPileState('nobody', 'Failed'), false);
  assert.deepEqual(m.view(true), ['P1', 'P3']);
  assert.equal(m.delivery('P3')?.state, 'Failed');
  m.addPiles([pile('P1', 'Answered', result('b', 'Accepted')), pile('P4', 'Waiting')]);
  assert.deepEqual(m.view(false), ['P1', 'P2', 'P3', 'P4']);
  assert.deepEqual(m.view(true), ['P3']); // P1's retry was accepted
  assert.equal(m.result('P4', 'a'), undefined); // not sent: no result, never "Pending"
  assert.equal(m.size, 4);
});

test('pages a 10,000-pile job and clamps out-of-range pages', () => {
  const m = new JobModel();
  m.setParameters(['a']);
  m.addPiles(Array.from({ length: 10000 }, (_, i) => pile(`P${String(i).padStart(5, '0')}`, 'Answered',
    result('a', i % 100 === 0 ? 'Rejected' : 'Accepted'))));
  const first = pageOf(m.view(false), 0, 100);
  assert.deepEqual([first.first, first.last, first.pages, first.total, first.ids.length], [1, 100, 100, 10000, 100]);
  const last = pageOf(m.view(false), 500, 100);
  assert.deepEqual([last.page, last.first, last.last], [99, 9901, 10000]);
  assert.equal(last.ids[99], 'P09999');
  const failed = pageOf(m.view(true), 0, 100);
  assert.deepEqual([failed.total, failed.pages, failed.ids[1]], [100, 1, 'P00100']);
  const none = pageOf([], 3, 100);
  assert.deepEqual([none.page, none.pages, none.first, none.last, none.ids.length], [0, 1, 0, 0, 0]);
});
