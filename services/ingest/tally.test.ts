import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { TallyCounter, TallyHistogram } from './tally.js';

function make(registry = new Registry()) {
  const counter = new TallyCounter({
    name: 'test_frames_total',
    help: 'Frames.',
    labelNames: ['stream', 'reason'] as const,
    registers: [registry],
  });
  return { counter, registry };
}

describe('TallyCounter', () => {
  it('folds tallies into the counter on every scrape, exactly', async () => {
    const { counter, registry } = make();
    const a = counter.tally('cam1', 'window_full');
    const b = counter.tally('cam2', 'window_full');
    a.inc();
    a.inc(4);
    b.inc(2);
    expect(await registry.metrics()).toContain('test_frames_total{stream="cam1",reason="window_full"} 5');
    expect(await registry.metrics()).toContain('test_frames_total{stream="cam2",reason="window_full"} 2');
    a.inc();
    counter.inc({ stream: 'cam1', reason: 'window_full' }, 10); // the ordinary API still adds up with tallies
    const values = (await counter.get()).values;
    expect(values.find((v) => v.labels.stream === 'cam1')?.value).toBe(16);
    expect(values.find((v) => v.labels.stream === 'cam2')?.value).toBe(2); // not counted twice
  });

  it('shows a series at 0 from its first tally, and one child per label set', async () => {
    const { counter, registry } = make();
    const first = counter.tally('cam1', 'buffer_full');
    const again = counter.tally('cam1', 'buffer_full');
    expect(again).toBe(first);
    expect(await registry.metrics()).toContain('test_frames_total{stream="cam1",reason="buffer_full"} 0');
    first.inc();
    again.inc();
    expect(await registry.metrics()).toContain('test_frames_total{stream="cam1",reason="buffer_full"} 2');
  });

  it('refuses the wrong number of label values, naming the metric', () => {
    expect(() => make().counter.tally('cam1')).toThrow(/test_frames_total: expected 2 label values, got 1/);
  });
});

describe('TallyHistogram', () => {
  const buckets = [0.001, 0.01, 0.1, 1];
  const histogram = (name: string, labelNames: string[], registers: Registry[] = [], b = buckets) =>
    new TallyHistogram({ name, help: 'H.', labelNames, buckets: b, registers });
  const samples: Array<[string, number]> = [
    ['cam1', 0.0004],
    ['cam1', 0.001], // on a bound: counted in that bucket (le is "less or equal")
    ['cam1', 0.05],
    ['cam1', 3],
    ['cam2', 0.2],
  ];

  it('exports exactly what a prom-client Histogram exports for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const tally = histogram('lat_seconds', ['stream'], [ours]);
    const reference = new Histogram({
      name: 'lat_seconds',
      help: 'H.',
      labelNames: ['stream'],
      buckets,
      registers: [theirs],
    });
    for (const [stream, v] of samples) {
      tally.tally(stream).observe(v);
      reference.labels(stream).observe(v);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('lat_seconds_bucket{le="0.001",stream="cam1"} 2');
    expect(text).toContain('lat_seconds_bucket{le="+Inf",stream="cam1"} 4');
    expect(text).toContain('lat_seconds_count{stream="cam2"} 1');
    // The JSON form too, but for prom-client's exemplar slots (empty: exemplars are off).
    const samplesOf = async (r: Registry) =>
      (await r.getMetricsAsJSON())[0]?.values.map((v) => ({
        labels: v.labels,
        value: v.value,
        metricName: (v as { metricName?: string }).metricName,
      }));
    expect(await samplesOf(ours)).toEqual(await samplesOf(theirs));
    expect(await samplesOf(ours)).toHaveLength(2 * (buckets.length + 3));
  });

  it('hands out one child per label set and refuses the wrong number of values', () => {
    const h = histogram('h_seconds', ['stream', 'kind']);
    expect(h.tally('cam1', 'a')).toBe(h.tally('cam1', 'a'));
    expect(h.tally('cam1', 'b')).not.toBe(h.tally('cam1', 'a'));
    expect(() => h.tally('cam1')).toThrow(/h_seconds: expected 2 label values, got 1/);
  });

  it('skips samples that are not finite numbers and empties on reset', async () => {
    const registry = new Registry();
    const h = histogram('h_seconds', ['stream'], [registry]);
    const cam = h.tally('cam1');
    cam.observe(Number.NaN);
    cam.observe(Number.POSITIVE_INFINITY);
    cam.observe(0.5);
    expect(await registry.metrics()).toContain('h_seconds_count{stream="cam1"} 1');
    expect(await registry.metrics()).toContain('h_seconds_sum{stream="cam1"} 0.5');
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('h_seconds_count{stream="cam1"} 0');
    cam.observe(0.002);
    expect(await registry.metrics()).toContain('h_seconds_bucket{le="0.01",stream="cam1"} 1');
  });

  it('refuses buckets that are repeated or not finite', () => {
    const make = (b: number[]) => histogram('b_seconds', [], [], b);
    expect(() => make([0.1, 0.1])).toThrow(/b_seconds: buckets must be distinct finite numbers/);
    expect(() => make([0.1, Number.POSITIVE_INFINITY])).toThrow(/distinct finite/);
    expect(make([1, 0.5])).toBeInstanceOf(TallyHistogram); // given in any order
  });
});
