// Owns how fast each worker is, learned from finished tasks (cost units per ms), so leases and
// speculation can predict who finishes what when. A newcomer starts at the team's median.

const SMOOTHING = 0.3;

export class WorkerSpeeds {
  private readonly speeds = new Map<string, number>();
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
    const measured = cost / durationMs;
    const old = this.speeds.get(workerId);
    this.speeds.set(workerId, old === undefined ? measured : old + SMOOTHING * (measured - old));
  }

  /** Cost units per ms: measured, else scaled from the hint against measured peers, else 1 per hinted core. */
  speed(workerId: string): number {
    const measured = this.speeds.get(workerId);
    if (measured !== undefined) return measured;
    const perCore = this.medianPerCore();
    return (this.hints.get(workerId) ?? 1) * (perCore ?? 1);
  }

  private medianPerCore(): number | null {
    const ratios: number[] = [];
    for (const [id, s] of this.speeds) ratios.push(s / (this.hints.get(id) ?? 1));
    if (ratios.length === 0) return null;
    ratios.sort((a, b) => a - b);
    return ratios[Math.floor(ratios.length / 2)]!;
  }
}
