/**
 * In-memory counters and gauges of a server role, named as ECOSYSTEM.md section 1.4 suggests
 * (Prometheus conventions: `_total` counters, low-cardinality labels, never a Call-ID or a user):
 * `sip_requests_received_total{method}`, `sip_responses_sent_total{code_class,method}`,
 * `proxy_forwarded_total{method}`, `registrar_registrations_total{result}`... A `/metrics`
 * endpoint renders `samples()` with `toPrometheusText`; tests read them directly.
 */

export type MetricType = 'counter' | 'gauge';

export interface MetricSample {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Family {
  readonly type: MetricType;
  readonly help: string;
  readonly values: Map<string, { labels: Record<string, string>; value: number }>;
}

function keyOf(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

export class MetricSet {
  readonly #families = new Map<string, Family>();

  /** Declares a metric (its type and help text); using an undeclared name declares a counter. */
  declare(name: string, type: MetricType, help: string): this {
    if (!this.#families.has(name)) this.#families.set(name, { type, help, values: new Map() });
    return this;
  }

  private family(name: string): Family {
    let f = this.#families.get(name);
    if (f === undefined) {
      f = { type: 'counter', help: name, values: new Map() };
      this.#families.set(name, f);
    }
    return f;
  }

  /** Adds `by` (default 1) to a counter. */
  inc(name: string, labels: Readonly<Record<string, string>> = {}, by = 1): void {
    const values = this.family(name).values;
    const key = keyOf(labels);
    const v = values.get(key);
    if (v === undefined) values.set(key, { labels: { ...labels }, value: by });
    else v.value += by;
  }

  /** Sets a gauge. */
  set(name: string, labels: Readonly<Record<string, string>>, value: number): void {
    this.family(name).values.set(keyOf(labels), { labels: { ...labels }, value });
  }

  /** The current value (0 when never set). */
  get(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.#families.get(name)?.values.get(keyOf(labels))?.value ?? 0;
  }

  /** The sum over every label combination of a metric. */
  total(name: string): number {
    let sum = 0;
    for (const v of this.#families.get(name)?.values.values() ?? []) sum += v.value;
    return sum;
  }

  samples(): MetricSample[] {
    const out: MetricSample[] = [];
    for (const [name, f] of this.#families) {
      for (const v of f.values.values())
        out.push({ name, type: f.type, help: f.help, labels: v.labels, value: v.value });
    }
    return out;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** The Prometheus text exposition format (version 0.0.4) of some samples. */
export function toPrometheusText(samples: readonly MetricSample[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const s of samples) {
    if (!seen.has(s.name)) {
      seen.add(s.name);
      lines.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`);
    }
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',');
    lines.push(`${s.name}${labels ? `{${labels}}` : ''} ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}
