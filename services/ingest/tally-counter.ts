import { Counter, type CounterConfiguration } from 'prom-client';

/** What a hot path increments. */
export interface Tally {
  inc(n?: number): void;
}

// One label set's child: what `tally` hands out, and what `fold` empties.
class Pending implements Tally {
  n = 0;
  constructor(readonly labels: Record<string, string>) {}

  inc(n = 1): void {
    this.n += n;
  }
}

/**
 * A prom-client Counter whose per-frame increments are plain additions:
 * `tally(...labelValues)` returns a child that adds to a number, and the
 * sums are folded into the counter whenever it is collected, so every scrape
 * (and `get()`) reads the exact total. Why: a `labels()` child of prom-client
 * only binds the label object, and every `inc` validates and hashes it again,
 * several times per frame on ingest's publish and fan-out paths.
 */
export class TallyCounter<T extends string> extends Counter<T> {
  private readonly pending = new Map<string, Pending>();
  private readonly names: readonly string[];
  private readonly metricName: string;

  constructor(config: Omit<CounterConfiguration<T>, 'collect'>) {
    super({
      ...config,
      collect(this: Counter<T>) {
        (this as TallyCounter<T>).fold();
      },
    });
    this.names = config.labelNames ?? [];
    this.metricName = config.name;
  }

  /** The child for these label values (in `labelNames` order): the same object for the same values. */
  tally(...values: string[]): Tally {
    const key = values.join('\u0000');
    let p = this.pending.get(key);
    if (!p) {
      if (values.length !== this.names.length) {
        throw new Error(`${this.metricName}: expected ${this.names.length} label values, got ${values.length}`);
      }
      const labels: Record<string, string> = {};
      this.names.forEach((name, i) => (labels[name] = values[i] as string));
      p = new Pending(labels);
      this.pending.set(key, p);
      this.inc(labels as never, 0); // the series exists, at 0, from the first tally
    }
    return p;
  }

  private fold(): void {
    for (const p of this.pending.values()) {
      if (p.n === 0) continue;
      this.inc(p.labels as never, p.n);
      p.n = 0;
    }
  }
}
