// A small Prometheus registry (text exposition format 0.0.4): request latency,
// inference latency and teacher queue depth are all the API exports, so a
// client library would be more machinery than the metrics themselves.
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

class Histogram {
  readonly #series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {}

  observe(labels: Record<string, string>, seconds: number): void {
    const key = this.labelNames.map((name) => `${name}="${(labels[name] ?? '').replace(/["\\\n]/g, '_')}"`).join(',');
    const series = this.#series.get(key) ?? { counts: latencyBuckets.map(() => 0), sum: 0, count: 0 };
    latencyBuckets.forEach((bound, index) => {
      if (seconds <= bound) series.counts[index]! += 1;
    });
    series.sum += seconds;
    series.count += 1;
    this.#series.set(key, series);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, series] of this.#series) {
      const prefix = key ? `${key},` : '';
      latencyBuckets.forEach((bound, index) => lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${series.counts[index]}`));
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${series.count}`);
      lines.push(`${this.name}_sum${key ? `{${key}}` : ''} ${series.sum}`);
      lines.push(`${this.name}_count${key ? `{${key}}` : ''} ${series.count}`);
    }
    return lines.join('\n');
  }
}

export class Metrics {
  readonly httpRequestSeconds = new Histogram('person_search_http_request_duration_seconds', 'HTTP request latency by route and status.', ['route', 'status']);
  readonly inferenceSeconds = new Histogram('person_search_inference_duration_seconds', 'Model inference latency by model and kind.', ['model', 'kind']);
  readonly searchStageSeconds = new Histogram('person_search_search_stage_duration_seconds', 'searchPerson latency by stage.', ['stage']);

  /** Renders all metrics; `gauges` are read at scrape time (e.g. queue depth from the database). */
  render(gauges: Record<string, { help: string; value: number }>): string {
    const parts = [this.httpRequestSeconds.render(), this.inferenceSeconds.render(), this.searchStageSeconds.render()];
    for (const [name, gauge] of Object.entries(gauges)) parts.push(`# HELP ${name} ${gauge.help}\n# TYPE ${name} gauge\n${name} ${gauge.value}`);
    return `${parts.join('\n')}\n`;
  }
}
