import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ReadTally } from './read.tally.js';

describe('ReadTally', () => {
  it('exposes reads as a prom-client counter and latencies as a cumulative histogram', async () => {
    const registry = new Registry();
    const tally = new ReadTally(registry);
    tally.record('cref:users:user', 'hit', 0.0003);
    tally.record('cref:users:user', 'hit', 0.0004);
    tally.record('cref:users:user', 'miss', 0.03);
    const text = await registry.metrics();
    assert.match(text, /^cache_reads_total\{namespace="cref:users:user",outcome="hit"\} 2$/m);
    assert.match(text, /^cache_reads_total\{namespace="cref:users:user",outcome="miss"\} 1$/m);
    assert.match(text, /^# TYPE cache_read_duration_seconds histogram$/m);
    assert.match(text, /^cache_read_duration_seconds_bucket\{le="0.0002",namespace="cref:users:user",outcome="hit"\} 0$/m);
    assert.match(text, /^cache_read_duration_seconds_bucket\{le="0.0005",namespace="cref:users:user",outcome="hit"\} 2$/m);
    assert.match(text, /^cache_read_duration_seconds_bucket\{le="\+Inf",namespace="cref:users:user",outcome="hit"\} 2$/m);
    assert.match(text, /^cache_read_duration_seconds_bucket\{le="0.025",namespace="cref:users:user",outcome="miss"\} 0$/m);
    assert.match(text, /^cache_read_duration_seconds_bucket\{le="0.05",namespace="cref:users:user",outcome="miss"\} 1$/m);
    assert.match(text, /^cache_read_duration_seconds_count\{namespace="cref:users:user",outcome="miss"\} 1$/m);
    const sum = Number(/^cache_read_duration_seconds_sum\{namespace="cref:users:user",outcome="hit"\} (\S+)$/m.exec(text)?.[1]);
    assert.ok(Math.abs(sum - 0.0007) < 1e-12, String(sum));
    assert.doesNotMatch(text, /outcome="stale"/, 'no series for outcomes never seen');
  });

  it('counts a latency equal to a bound in that bucket (le is inclusive), and starts over on a registry reset', async () => {
    const registry = new Registry();
    const tally = new ReadTally(registry);
    tally.record('n', 'hit', 0.001);
    assert.match(await registry.metrics(), /^cache_read_duration_seconds_bucket\{le="0.001",namespace="n",outcome="hit"\} 1$/m);
    registry.resetMetrics();
    assert.doesNotMatch(await registry.metrics(), /namespace="n"/);
  });
});
