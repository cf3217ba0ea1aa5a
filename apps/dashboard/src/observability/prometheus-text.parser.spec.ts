import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText } from './prometheus-text.parser.js';

describe('parsePrometheusText', () => {
  it('reads names, labels (escapes included) and values, and skips comments', () => {
    const samples = parsePrometheusText(
      [
        '# HELP cache_reads_total Cache reads',
        '# TYPE cache_reads_total counter',
        'cache_reads_total{namespace="cref:users:user",outcome="hit"} 42',
        'odd{path="a\\"b\\\\c"} 1.5 1700000000000',
        'cache_read_duration_seconds_bucket{le="+Inf",namespace="n"} 7',
        'process_cpu_seconds_total 0.25',
        'garbage line here',
      ].join('\n'),
    );
    assert.deepEqual(samples, [
      { name: 'cache_reads_total', labels: { namespace: 'cref:users:user', outcome: 'hit' }, value: 42 },
      { name: 'odd', labels: { path: 'a"b\\c' }, value: 1.5 },
      { name: 'cache_read_duration_seconds_bucket', labels: { le: '+Inf', namespace: 'n' }, value: 7 },
      { name: 'process_cpu_seconds_total', labels: {}, value: 0.25 },
    ]);
  });
});
