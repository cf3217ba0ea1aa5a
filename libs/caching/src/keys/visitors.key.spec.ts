import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import { dailyVisitorsKey, mergedVisitorsKey, utcDaysEndingOn } from './visitors.key.js';

describe('visitor HyperLogLog keys', () => {
  it('names one UTC day under catalog, whatever the time zone of the Date', () => {
    assert.equal(dailyVisitorsKey('cref:', new Date('2026-11-20T23:59:59.999Z')), 'cref:catalog:visitors:{visitors}:2026-11-20');
    assert.equal(dailyVisitorsKey('cref:', '2026-11-21'), 'cref:catalog:visitors:{visitors}:2026-11-21');
  });

  it('puts every day and the merge destination in one Cluster slot, so PFMERGE is legal', () => {
    const days = utcDaysEndingOn(new Date('2026-03-02T10:00:00Z'), 7);
    assert.deepEqual(days, ['2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    const keys = [...days.map((day) => dailyVisitorsKey('cref:', day)), mergedVisitorsKey('cref:', 'dashboard', days[0], days[6])];
    assert.equal(new Set(keys.map((key) => calculateSlot(key))).size, 1);
  });

  it('rejects days, prefixes and services that could escape the key shape', () => {
    assert.throws(() => dailyVisitorsKey('cref:', '2026-11-20}'), TypeError);
    assert.throws(() => dailyVisitorsKey('cref:', '2026-13-45'), TypeError);
    assert.throws(() => dailyVisitorsKey('{x}:', '2026-11-20'), TypeError);
    assert.throws(() => mergedVisitorsKey('cref:', 'dash*', '2026-11-14', '2026-11-20'), TypeError);
  });
});
