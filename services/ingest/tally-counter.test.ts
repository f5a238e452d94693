import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyCounter } from './tally-counter.js';

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
