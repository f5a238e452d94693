import { describe, expect, it } from 'vitest';
import { exposedMetricNames, grafanaToPromql, promqlMetricNames } from './promql.js';

describe('promqlMetricNames', () => {
  const cases: Array<[string, string, string[]]> = [
    ['a bare metric', 'up', ['up']],
    ['label matchers and strings', 'fanout_viewers{stream=~"cam.*", job!="x"} > 0', ['fanout_viewers']],
    ['functions and ranges', 'rate(ingest_frames_received_total[5m])', ['ingest_frames_received_total']],
    [
      'aggregations with by, quantiles and buckets',
      'histogram_quantile(0.95, sum by (stream, le) (rate(fanout_send_latency_seconds_bucket{stream=~"$stream"}[$__rate_interval])))',
      ['fanout_send_latency_seconds_bucket'],
    ],
    [
      'binary operators with on() and bool',
      'ingest_stream_state{state!="live"} == bool 1 and on (stream) fanout_viewers > 0',
      ['ingest_stream_state', 'fanout_viewers'],
    ],
    ['numbers with exponents and offsets', 'x_total offset 5m > 1e3 * 2', ['x_total']],
    ['colons in recording-rule names', 'job:requests:rate5m / 2', ['job:requests:rate5m']],
    ['without()', 'sum without (instance) (process_cpu_seconds_total)', ['process_cpu_seconds_total']],
  ];
  it.each(cases)('reads %s', (_name, expr, names) => expect(promqlMetricNames(expr)).toEqual(names));
});

describe('grafanaToPromql', () => {
  it('replaces the dashboard variables with what they cover', () => {
    expect(grafanaToPromql('rate(x{stream=~"$stream", camera=~"${camera}"}[$__rate_interval]) + y[$__range]')).toBe(
      'rate(x{stream=~".*", camera=~".*"}[1m]) + y[1m]',
    );
  });
});

describe('exposedMetricNames', () => {
  it('lists families, histogram series and sample names', () => {
    const text = [
      '# HELP a_total A.',
      '# TYPE a_total counter',
      'a_total{stream="x"} 3',
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{le="0.1"} 1',
      '# TYPE g gauge',
      'g 1',
    ].join('\n');
    expect([...exposedMetricNames(text)].sort()).toEqual(
      ['a_total', 'g', 'lat_seconds', 'lat_seconds_bucket', 'lat_seconds_count', 'lat_seconds_sum'].sort(),
    );
  });
});
