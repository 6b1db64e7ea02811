// Owns how fast each worker is, learned from finished tasks (cost units per ms), so leases and
// speculation can predict who finishes what when. A newcomer starts at the team's median.

/**
 * The speed is the median of a worker's last few tasks, not a running average: a worker's first
 * task of a job carries one-time costs (Blender starting and loading the file, a cold disk), and
 * one such task, averaged in, made a machine look ten times slower than it is for the rest of
 * the day; held back as too slow, it never ran the task that would have shown otherwise.
 */
const RECENT = 5;
/** Tasks measured before a worker may be held back as slow: one outlier must not lock it out. */
const CONFIDENT_AFTER = 3;

export class WorkerSpeeds {
  private readonly recent = new Map<string, number[]>();
  private readonly hints = new Map<string, number>();

  /** A prior from what the worker announced (its free cores), before anything was measured. */
  hint(workerId: string, coresHint: number): void {
    this.hints.set(workerId, Math.max(0.1, coresHint));
  }

  hasHint(workerId: string): boolean {
    return this.hints.has(workerId);
  }

  observe(workerId: string, cost: number, durationMs: number): void {
    if (durationMs <= 0 || cost <= 0) return;
    const list = this.recent.get(workerId) ?? [];
    list.push(cost / durationMs);
    if (list.length > RECENT) list.shift();
    this.recent.set(workerId, list);
  }

  /** Whether enough of this worker's tasks were measured to trust its speed over a hopeful guess. */
  isKnown(workerId: string): boolean {
    return (this.recent.get(workerId)?.length ?? 0) >= CONFIDENT_AFTER;
  }

  /** Cost units per ms: measured, else scaled from the hint against measured peers, else 1 per hinted core. */
  speed(workerId: string): number {
    const list = this.recent.get(workerId);
    if (list && list.length > 0) return median(list);
    const perCore = this.medianPerCore();
    return (this.hints.get(workerId) ?? 1) * (perCore ?? 1);
  }

  private medianPerCore(): number | null {
    const ratios: number[] = [];
    for (const [id, list] of this.recent) ratios.push(median(list) / (this.hints.get(id) ?? 1));
    return ratios.length === 0 ? null : median(ratios);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
