import { Counter, type CounterConfiguration } from 'prom-client';

/** What a hot path increments. */
export interface Tally {
  inc(n?: number): void;
}

interface Pending {
  readonly labels: Record<string, string>;
  n: number;
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
  private pending: Map<string, Pending> | undefined;
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

  /** A child for these label values (in `labelNames` order), made once per label set. */
  tally(...values: string[]): Tally {
    this.pending ??= new Map();
    const key = values.join('\u0000');
    let p = this.pending.get(key);
    if (!p) {
      if (values.length !== this.names.length) {
        throw new Error(`${this.metricName}: expected ${this.names.length} label values, got ${values.length}`);
      }
      const labels: Record<string, string> = {};
      this.names.forEach((name, i) => (labels[name] = values[i] as string));
      p = { labels, n: 0 };
      this.pending.set(key, p);
      this.inc(labels as never, 0); // the series exists, at 0, from the first tally
    }
    const entry = p;
    return {
      inc: (n = 1) => {
        entry.n += n;
      },
    };
  }

  private fold(): void {
    if (!this.pending) return;
    for (const p of this.pending.values()) {
      if (p.n === 0) continue;
      this.inc(p.labels as never, p.n);
      p.n = 0;
    }
  }
}
