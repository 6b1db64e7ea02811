// A discrete-event simulation of a team rendering one animation: the real PullScheduler driving
// simulated machines on a virtual clock, plus two baselines (a static equal split and a first-come
// queue of fixed-size chunks), so `npm run bench:jobs` can compare them on the same workload.

import type { JobSubmission, TaskSpec } from '../../shared/model/jobs.js';
import { bucketTasks, equalRows } from '../../electron/agent/jobs/compile-render-job.js';
import { MemoryJobJournal } from '../../electron/agent/scheduler/ports.js';
import { PullScheduler, type Lease } from '../../electron/agent/scheduler/pull-scheduler.js';
import { mulberry32 } from '../../shared/seeded-random.js';

export interface Workload {
  frameCostsMs: number[]; // at speed 1
  machines: { id: string; speed: number; coresHint: number; joinAtMs: number; leaveAtMs: number | null }[];
  lossNoticeMs: number;
  taskOverheadMs: number;
}

export { mulberry32 };

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** The workload: 240 frames (log-normal, sigma 0.4), 64 machines, 10 % leave in the first half, 4 join. */
export function makeWorkload(seed: number): Workload {
  const rand = mulberry32(seed);
  const speeds = [1, 1.5, 2, 3, 4, 6, 8];
  const frameCostsMs = Array.from({ length: 240 }, () => 60_000 * Math.exp(0.4 * gaussian(rand)));
  const pick = (): number => speeds[Math.floor(rand() * speeds.length)]!;
  const machines: Workload['machines'] = [];
  for (let i = 0; i < 64; i++) machines.push({ id: `m${i}`, speed: pick(), coresHint: 0, joinAtMs: 0, leaveAtMs: null });
  const total = frameCostsMs.reduce((a, b) => a + b, 0);
  const half = total / machines.reduce((a, m) => a + m.speed, 0) / 2;
  const leavers = [...machines].sort(() => rand() - 0.5).slice(0, Math.round(machines.length * 0.1));
  for (const m of leavers) m.leaveAtMs = rand() * half;
  for (let i = 0; i < 4; i++) machines.push({ id: `j${i}`, speed: pick(), coresHint: 0, joinAtMs: rand() * half, leaveAtMs: null });
  // Announced cores predict speed only roughly (older cores are slower): the scheduler must learn the rest.
  for (const m of machines) m.coresHint = m.speed * Math.exp(0.25 * gaussian(rand));
  return { frameCostsMs, machines, lossNoticeMs: 3000, taskOverheadMs: 200 };
}

/** Earliest time the machines' capacity (a leaver's only until it left) covers the work, or the longest frame on the fastest machine. */
export function lowerBoundMs(w: Workload): number {
  const total = w.frameCostsMs.reduce((a, b) => a + b, 0);
  const points = [...new Set(w.machines.flatMap((m) => [m.joinAtMs, m.leaveAtMs ?? Infinity]))].filter(Number.isFinite).sort((a, b) => a - b);
  let done = 0;
  let t = 0;
  for (const next of [...points, Infinity]) {
    const rate = w.machines.filter((m) => m.joinAtMs <= t && (m.leaveAtMs ?? Infinity) > t).reduce((a, m) => a + m.speed, 0);
    if (rate > 0 && done + rate * (next - t) >= total) {
      t += (total - done) / rate;
      break;
    }
    done += rate * (next - t);
    t = next;
  }
  const fastest = Math.max(...w.machines.map((m) => m.speed));
  return Math.max(t, Math.max(...w.frameCostsMs) / fastest);
}

class EventQueue {
  private heap: { at: number; seq: number; fn: () => void; dead: boolean }[] = [];
  private seq = 0;
  now = 0;
  at(at: number, fn: () => void): { dead: boolean } {
    const e = { at, seq: this.seq++, fn, dead: false };
    this.heap.push(e);
    this.heap.sort((a, b) => a.at - b.at || a.seq - b.seq); // small queues: simplicity over a heap
    return e;
  }
  run(until: () => boolean, limitMs: number): void {
    while (this.heap.length && !until()) {
      const e = this.heap.shift()!;
      if (e.dead) continue;
      this.now = e.at;
      if (this.now > limitMs) return;
      e.fn();
    }
  }
}

const W = 1920;
const H = 1080;
const SPP = 1;

/** Runs the real scheduler; returns the makespan in ms. */
export function simulatePullScheduler(w: Workload): number {
  const q = new EventQueue();
  const costPerFrame = W * H * SPP;
  const submission: JobSubmission = {
    name: 'sim',
    engine: 'builtin-render',
    kind: 'animation',
    scene: 'scene.glb',
    assets: [],
    settings: { width: W, height: H, samplesPerPixel: SPP, seed: 1, frameStart: 0, frameEnd: w.frameCostsMs.length - 1, fps: 24, format: 'png' },
    outputDir: '/sim',
    priority: 0,
  };
  const running = new Map<string, { lease: Lease; event: { dead: boolean } }>(); // by machine
  const alive = new Set<string>();
  let finished = false;
  const sched = new PullScheduler(
    { now: () => q.now },
    new MemoryJobJournal(),
    (_job, jobId, task, parts) => bucketTasks(jobId, task.frames[0]!, W, H, SPP, equalRows(H, parts), `s${task.taskId.length}`),
    {
      jobFinished: () => (finished = true),
      cancelLeases: (leases) => {
        for (const l of leases) {
          const r = running.get(l.workerId);
          if (r && r.lease.leaseId === l.leaseId) {
            r.event.dead = true;
            running.delete(l.workerId);
            wake(l.workerId);
          }
        }
      },
    },
  );
  const frames: TaskSpec[] = w.frameCostsMs.map((_, f) => ({ taskId: `job:f${f}`, kind: 'frames', frames: [f], region: null, dependsOn: [], cost: costPerFrame, splittable: true }));
  const durationMs = (task: TaskSpec, speed: number): number => {
    const frameMs = w.frameCostsMs[task.frames[0]!]!;
    const share = task.kind === 'merge' ? 0.002 : task.region ? task.region.height / H : task.frames.length;
    return (frameMs * share) / speed + w.taskOverheadMs;
  };
  const wake = (id: string): void => {
    // As a real worker: it asks only a coordinator whose heartbeat says it has work.
    if (!alive.has(id) || running.has(id) || !sched.hasWorkToOffer()) return;
    const lease = sched.requestWork(id);
    if (!lease) return;
    const m = w.machines.find((x) => x.id === id)!;
    const start = q.now;
    sched.taskStarted(lease.leaseId, id);
    const event = q.at(q.now + durationMs(lease.task, m.speed), () => {
      running.delete(id);
      sched.taskSucceeded(lease.leaseId, { workerId: id, startedAtMs: start, endedAtMs: q.now, outputs: {} });
      wakeAll();
    });
    running.set(id, { lease, event });
  };
  const wakeAll = (): void => [...alive].forEach(wake);
  for (const m of w.machines) {
    q.at(m.joinAtMs, () => {
      alive.add(m.id);
      sched.workerJoined(m.id, m.coresHint);
      wake(m.id);
    });
    if (m.leaveAtMs !== null) {
      q.at(m.leaveAtMs, () => {
        alive.delete(m.id);
        const r = running.get(m.id);
        if (r) r.event.dead = true;
        running.delete(m.id);
      });
      q.at(m.leaveAtMs + w.lossNoticeMs, () => {
        sched.workerLost(m.id);
        wakeAll();
      });
    }
  }
  q.at(0, () => sched.addJob('job', submission, frames));
  const heartbeat = (): void => {
    for (const id of alive) sched.renewLeases(id);
    sched.expireLeases();
    wakeAll();
    if (!finished) q.at(q.now + 1000, heartbeat);
  };
  q.at(0, heartbeat);
  q.run(() => finished, 1e9);
  return q.now;
}

/** Baseline: frames split into equal contiguous blocks up front; a leaver's frames are spread over the others once noticed. */
export function simulateStaticSplit(w: Workload): number {
  const initial = w.machines.filter((m) => m.joinAtMs === 0);
  const queues = new Map(initial.map((m) => [m.id, [] as number[]]));
  w.frameCostsMs.forEach((_, f) => queues.get(initial[Math.floor((f * initial.length) / w.frameCostsMs.length)]!.id)!.push(f));
  return simulateQueues(w, queues, null);
}

/** Baseline: a first-come pull queue of fixed chunks of frames, no speculation, no splitting. */
export function simulateFixedChunks(w: Workload, chunk = 4): number {
  const chunks: number[][] = [];
  for (let f = 0; f < w.frameCostsMs.length; f += chunk) chunks.push(Array.from({ length: Math.min(chunk, w.frameCostsMs.length - f) }, (_, i) => f + i));
  return simulateQueues(w, null, chunks);
}

function simulateQueues(w: Workload, perMachine: Map<string, number[]> | null, shared: number[][] | null): number {
  const q = new EventQueue();
  let left = w.frameCostsMs.length;
  const alive = new Set<string>();
  const busy = new Map<string, { frames: number[]; event: { dead: boolean } }>();
  const wake = (id: string): void => {
    if (!alive.has(id) || busy.has(id)) return;
    const frames = perMachine ? (perMachine.get(id)?.length ? [perMachine.get(id)!.shift()!] : null) : (shared!.shift() ?? null);
    if (!frames) return;
    const m = w.machines.find((x) => x.id === id)!;
    const ms = frames.reduce((a, f) => a + w.frameCostsMs[f]!, 0) / m.speed + w.taskOverheadMs;
    const event = q.at(q.now + ms, () => {
      busy.delete(id);
      left -= frames.length;
      wake(id);
    });
    busy.set(id, { frames, event });
  };
  for (const m of w.machines) {
    const joins = perMachine ? perMachine.has(m.id) : true;
    if (!joins) continue;
    q.at(m.joinAtMs, () => {
      alive.add(m.id);
      wake(m.id);
    });
    if (m.leaveAtMs !== null) {
      q.at(m.leaveAtMs, () => {
        alive.delete(m.id);
        const b = busy.get(m.id);
        if (b) b.event.dead = true;
      });
      q.at(m.leaveAtMs + w.lossNoticeMs, () => {
        const lost = busy.get(m.id)?.frames ?? [];
        busy.delete(m.id);
        if (perMachine) {
          const orphaned = [...lost, ...(perMachine.get(m.id) ?? [])];
          perMachine.delete(m.id);
          const others = [...alive].filter((id) => perMachine.has(id));
          orphaned.forEach((f, i) => perMachine.get(others[i % others.length]!)!.push(f));
        } else if (lost.length) shared!.unshift(lost);
        [...alive].forEach(wake);
      });
    }
  }
  q.run(() => left <= 0, 1e9);
  return q.now;
}
