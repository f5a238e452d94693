import { Counter, type CounterConfiguration, type Metric, type Registry } from 'prom-client';

// Why this file: a `labels()` child of prom-client only binds the label
// object, and every `inc` or `observe` validates and hashes it again. Ingest
// counts several things per frame and per fan-out slice; these metrics keep
// plain numbers per label set instead and hand them to prom-client when it is
// scraped, so every scrape (and `get()`) reads exact values.

/** What a hot path increments. */
export interface Tally {
  inc(n?: number): void;
}

/** What a hot path observes. */
export interface Observer {
  observe(value: number): void;
}

/** One child per label set, made on first use and the same object after. */
class Children<C> {
  private readonly byKey = new Map<string, C>();

  constructor(
    private readonly metricName: string,
    private readonly names: readonly string[],
    private readonly make: (labels: Record<string, string>) => C,
  ) {}

  /** The child for these label values, in `labelNames` order. */
  get(values: readonly string[]): C {
    const key = values.join('\u0000');
    let child = this.byKey.get(key);
    if (!child) {
      if (values.length !== this.names.length) {
        throw new Error(`${this.metricName}: expected ${this.names.length} label values, got ${values.length}`);
      }
      const labels: Record<string, string> = {};
      this.names.forEach((name, i) => (labels[name] = values[i] as string));
      child = this.make(labels);
      this.byKey.set(key, child);
    }
    return child;
  }

  all(): IterableIterator<C> {
    return this.byKey.values();
  }
}

class PendingCount implements Tally {
  n = 0;
  constructor(readonly labels: Record<string, string>) {}

  inc(n = 1): void {
    this.n += n;
  }
}

/**
 * A prom-client Counter whose per-frame increments are plain additions:
 * `tally(...labelValues)` returns a child that adds to a number, and the sums
 * are folded into the counter whenever it is collected. The ordinary Counter
 * API still works and adds up with the tallies.
 */
export class TallyCounter<T extends string> extends Counter<T> {
  private readonly pending: Children<PendingCount>;

  constructor(config: Omit<CounterConfiguration<T>, 'collect'>) {
    super({
      ...config,
      collect(this: Counter<T>) {
        (this as TallyCounter<T>).fold();
      },
    });
    this.pending = new Children(config.name, config.labelNames ?? [], (labels) => {
      this.inc(labels as never, 0); // the series exists, at 0, from the first tally
      return new PendingCount(labels);
    });
  }

  /** The child for these label values (in `labelNames` order): the same object for the same values. */
  tally(...values: string[]): Tally {
    return this.pending.get(values);
  }

  private fold(): void {
    for (const p of this.pending.all()) {
      if (p.n === 0) continue;
      this.inc(p.labels as never, p.n);
      p.n = 0;
    }
  }
}

class HistogramSeries implements Observer {
  /** Observations per bucket, not cumulative; the last one is `+Inf`. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    // prom-client throws here; on a fan-out path a bad sample must not stop the frame, so it is not counted.
    if (!Number.isFinite(value)) return;
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (this.counts[i] as number)++;
    this.sum += value;
    this.count++;
  }

  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** Settings of a TallyHistogram: prom-client's, with buckets and label names required. */
export interface TallyHistogramConfiguration<T extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly T[];
  readonly buckets: readonly number[];
  readonly registers: readonly Registry[];
}

/** One exported sample, in the shape prom-client's `get()` returns. */
interface HistogramValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName: string;
}

/**
 * A Prometheus histogram whose only series are `tally(...labelValues)`
 * children: `observe` finds the bucket and adds to plain numbers, nothing
 * else. It registers itself on the registries like any prom-client metric and
 * exports the same samples a prom-client Histogram would (`_bucket` with a
 * cumulative `le`, `+Inf`, `_sum`, `_count`).
 */
export class TallyHistogram<T extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly bounds: readonly number[];
  private readonly series: Children<HistogramSeries>;

  constructor(config: TallyHistogramConfiguration<T>) {
    this.name = config.name;
    this.help = config.help;
    this.bounds = [...config.buckets].sort((a, b) => a - b);
    if (this.bounds.some((b, i) => !Number.isFinite(b) || b === this.bounds[i - 1])) {
      throw new Error(`${config.name}: buckets must be distinct finite numbers`);
    }
    this.series = new Children(config.name, config.labelNames, (labels) => new HistogramSeries(labels, this.bounds));
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The child for these label values (in `labelNames` order): the same object for the same values. */
  tally(...values: string[]): Observer {
    return this.series.get(values);
  }

  /** The samples, as prom-client's Registry reads them from any metric. */
  async get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: HistogramValue[];
  }> {
    const values: HistogramValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.all()) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i] as number;
        values.push({ labels: { le, ...s.labels }, value: acc, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: bucket });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Empties every series (prom-client's `Registry.resetMetrics` calls it). */
  reset(): void {
    for (const s of this.series.all()) s.clear();
  }
}
