// The real PullScheduler driving a simulated team on a virtual clock (no timers, no real time):
// fourteen machines at 1x, 2x and 4x, an animation of 180 frames, a still submitted a little later
// at a higher priority (compiled into shrinking buckets and a merge), a 2x machine joining
// mid-job and a 4x one vanishing mid-task. It holds the scheduler to a makespan bound and to its
// bookkeeping: every task done exactly once, nothing given to the machine that left. Seeded
// (mulberry32), so a failure replays exactly. The bench's own workload (test/sim, run by
// `npm run bench:jobs`) is held to the same kind of bound at the end.

import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../../../../shared/model/jobs.js';
import { bucketTasks, compileRenderJob, equalRows } from '../../../../../electron/agent/jobs/compile-render-job.js';
import { MemoryJobJournal } from '../../../../../electron/agent/scheduler/ports.js';
import { PullScheduler, type Lease, type TaskInfo } from '../../../../../electron/agent/scheduler/pull-scheduler.js';
import { mulberry32 } from '../../../../../shared/seeded-random.js';
import { lowerBoundMs, makeWorkload, simulatePullScheduler } from '../../../../sim/discrete-event-sim.js';

const W = 1920;
const H = 1080;
const FRAMES = 180;
/** A frame takes a minute on a 1x machine (log-normal around it); the still, at 8 samples, eight. */
const FRAME_MS = 60_000;
const STILL_SPP = 8;
/** What every task costs beyond its pixels (a lease round trip, loading the scene). */
const TASK_OVERHEAD_MS = 200;
/** How long the coordinator takes to notice a link is gone. */
const LOSS_NOTICE_MS = 3000;
const HEARTBEAT_MS = 1000;
/** The coordinator, as the worker that runs merges. */
const COORDINATOR = 'coordinator';

/**
 * Makespan / ideal, where ideal is the time the team's capacity (machines counted while present)
 * needs for all the work, plus the longest single task on the fastest machine. That sum is a
 * yardstick, not a lower bound: the scheduler splits the longest frames at the end, so it can beat
 * it. Seeds 1-6 reach 0.90-0.95 today (worst 0.945, seed 1); 1.4 is about 1.5x that worst. It
 * catches gross regressions (work not spread by speed, the end left to slow machines, a stall);
 * a finer one, like no splitting at all (about 1.03 here), is for `bench:jobs` to show.
 */
const TEAM_BOUND = 1.4;
/**
 * The bench's workload (64 machines of 1x-8x, 240 frames, 10 % leaving, 4 joining) against its own
 * lower bound: `bench:jobs` reports a median of 1.135 and a worst of 1.337 over its 20 seeds
 * today. 1.5 leaves room above that worst, and still catches a scheduler that stops splitting the
 * last frames (1.53-1.72 when frames lost their `splittable` trait); the baselines it is compared
 * with have medians of 2.3 and above.
 */
const BENCH_BOUND = 1.5;
const SEEDS = [1, 2, 3, 4, 5, 6];

interface SimMachine {
  id: string;
  speed: number;
  /** What it announces (its cores): speed only roughly, so the scheduler must learn the rest. */
  coresHint: number;
  joinAtMs: number;
  leaveAtMs: number | null;
}

interface Team {
  machines: SimMachine[];
  frameMs: number[];
  stillMs: number;
  /** Cost density of the still's rows (an object mid-frame costs more than the sky): prefix sums. */
  stillRowPrefix: number[];
  stillAtMs: number;
  joinerId: string;
  vanisherId: string;
}

/** What the scheduler takes and what compiles into frames and buckets: an image job. */
type ImageJob = Parameters<PullScheduler['addJob']>[1] & Parameters<typeof compileRenderJob>[1];

const animation: ImageJob = {
  name: 'anim',
  engine: 'builtin-render',
  kind: 'animation',
  scene: 'scene.glb',
  assets: [],
  settings: { width: W, height: H, samplesPerPixel: 1, seed: 1, frameStart: 1, frameEnd: FRAMES, fps: 24, format: 'png' },
  outputDir: '/out/anim',
  priority: 0,
};
const still: ImageJob = {
  ...animation,
  name: 'still',
  kind: 'still',
  settings: { ...animation.settings, samplesPerPixel: STILL_SPP, frameStart: 1, frameEnd: 1 },
  outputDir: '/out/still',
  priority: 1, // the owner wants this one first: the team turns to it as soon as it is submitted
};

function makeTeam(seed: number): Team {
  const rand = mulberry32(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const frameMs = Array.from({ length: FRAMES }, () => FRAME_MS * Math.exp(0.4 * gaussian()));
  const stillMs = FRAME_MS * STILL_SPP;
  const centre = 0.3 + 0.4 * rand();
  const stillRowPrefix = [0];
  for (let y = 0; y < H; y++) stillRowPrefix.push(stillRowPrefix[y]! + 1 + 2 * Math.exp(-(((y / H - centre) / 0.15) ** 2)));
  const speeds = [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 4, 4, 4, 4];
  const machines: SimMachine[] = speeds.map((speed, i) => ({ id: `m${i}-${speed}x`, speed, coresHint: 0, joinAtMs: 0, leaveAtMs: null }));
  const spanMs = (frameMs.reduce((a, b) => a + b, 0) + stillMs) / speeds.reduce((a, b) => a + b, 0);
  const vanisher = machines[machines.length - 1]!;
  vanisher.leaveAtMs = (0.4 + 0.1 * rand()) * spanMs;
  const joiner: SimMachine = { id: 'late-2x', speed: 2, coresHint: 0, joinAtMs: (0.3 + 0.1 * rand()) * spanMs, leaveAtMs: null };
  machines.push(joiner);
  for (const m of machines) m.coresHint = m.speed * Math.exp(0.25 * gaussian());
  return {
    machines,
    frameMs,
    stillMs,
    stillRowPrefix,
    stillAtMs: (0.2 + 0.1 * rand()) * spanMs,
    joinerId: joiner.id,
    vanisherId: vanisher.id,
  };
}

/** A task's work at 1x, in ms. */
function workMs(team: Team, jobId: string, task: TaskSpec): number {
  const frame = jobId === 'still' ? team.stillMs : team.frameMs[task.frames[0]! - 1]!;
  if (task.kind === 'merge') return 0.002 * frame; // reading and encoding pixels, not rendering them
  if (task.kind === 'bucket') {
    const { y, height } = task.region!;
    const p = jobId === 'still' ? team.stillRowPrefix : null;
    return p ? (frame * (p[y + height]! - p[y]!)) / p[H]! : (frame * height) / H;
  }
  return task.frames.reduce((sum, f) => sum + team.frameMs[f - 1]!, 0);
}

/** The ideal of TEAM_BOUND's comment: capacity over time (joins and leaves counted), plus the longest task on the fastest machine. */
function idealMs(team: Team): number {
  const stillTasks = compileRenderJob('still', still, { workersHint: team.machines.length });
  let total = team.frameMs.reduce((a, b) => a + b, 0) + team.stillMs;
  const events = [...new Set(team.machines.flatMap((m) => [m.joinAtMs, m.leaveAtMs ?? Infinity]))]
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  let t = 0;
  for (const next of [...events, Infinity]) {
    const rate = team.machines.filter((m) => m.joinAtMs <= t && (m.leaveAtMs ?? Infinity) > t).reduce((a, m) => a + m.speed, 0);
    if (rate * (next - t) >= total) {
      t += total / rate;
      break;
    }
    total -= rate * (next - t);
    t = next;
  }
  const longest = Math.max(...team.frameMs, ...stillTasks.filter((s) => s.kind === 'bucket').map((s) => workMs(team, 'still', s)));
  return t + longest / Math.max(...team.machines.map((m) => m.speed));
}

/** Events in time order; equal times in the order they were scheduled. */
class VirtualClock {
  nowMs = 0;
  private queue: { atMs: number; seq: number; fn: () => void; dead: boolean }[] = [];
  private seq = 0;

  at(atMs: number, fn: () => void): { dead: boolean } {
    const e = { atMs, seq: this.seq++, fn, dead: false };
    const i = this.queue.findIndex((x) => x.atMs > atMs);
    this.queue.splice(i < 0 ? this.queue.length : i, 0, e);
    return e;
  }

  run(done: () => boolean, limitMs: number): void {
    while (this.queue.length > 0 && !done()) {
      const e = this.queue.shift()!;
      if (e.dead) continue;
      if (e.atMs > limitMs) return;
      this.nowMs = e.atMs;
      e.fn();
    }
  }
}

interface SimRun {
  makespanMs: number;
  idealMs: number;
  ratio: number;
  jobStates: Map<string, string>;
  tasks: Map<string, TaskInfo[]>;
  /** Results the scheduler took (taskSucceeded said true), and taskDone events, by job/task. */
  accepted: Map<string, number>;
  doneEvents: Map<string, number>;
  /** Every lease the scheduler gave, as the simulated workers received them. */
  leases: { atMs: number; workerId: string; jobId: string; taskId: string }[];
  /** What the vanished machine was running when it left. */
  heldWhenLeft: Lease | null;
  /** Heartbeats after its loss was noticed at which the scheduler still listed a live lease of it. */
  liveAfterLoss: number;
  team: Team;
}

function simulateTeam(team: Team): SimRun {
  const clock = new VirtualClock();
  const byId = new Map(team.machines.map((m) => [m.id, m]));
  const vanisher = byId.get(team.vanisherId)!;
  const running = new Map<string, { lease: Lease; event: { dead: boolean } }>(); // by machine
  const alive = new Set<string>();
  const jobStates = new Map<string, string>();
  const accepted = new Map<string, number>();
  const doneEvents = new Map<string, number>();
  const leases: SimRun['leases'] = [];
  let heldWhenLeft: Lease | null = null;
  let lossNoticed = false;
  let liveAfterLoss = 0;
  const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

  const sched = new PullScheduler(
    { now: () => clock.nowMs },
    new MemoryJobJournal(),
    // As the built-in renderer's job type splits a straggling frame: equal rows, plus a merge.
    (job, jobId, task, parts) => {
      const { width, height, samplesPerPixel } = (job as ImageJob).settings;
      return bucketTasks(jobId, task.frames[0]!, width, height, samplesPerPixel, equalRows(height, parts), 's');
    },
    {
      jobFinished: (jobId, state) => jobStates.set(jobId, state),
      taskDone: (jobId, task) => bump(doneEvents, `${jobId}/${task.taskId}`),
      // Another copy won: the machine running this one stops and asks again.
      cancelLeases: (stopped) => {
        for (const l of stopped) {
          const r = running.get(l.workerId);
          if (r?.lease.leaseId !== l.leaseId) continue;
          r.event.dead = true;
          running.delete(l.workerId);
          wake(l.workerId);
        }
      },
    },
  );

  // As a real worker: it asks only a coordinator whose heartbeat says it has work, one task at a time.
  const wake = (id: string): void => {
    if (!alive.has(id) || running.has(id) || !sched.hasWorkToOffer()) return;
    const lease = sched.requestWork(id);
    if (!lease) return;
    leases.push({ atMs: clock.nowMs, workerId: id, jobId: lease.jobId, taskId: lease.task.taskId });
    const startedAtMs = clock.nowMs;
    sched.taskStarted(lease.leaseId, id);
    const event = clock.at(clock.nowMs + workMs(team, lease.jobId, lease.task) / byId.get(id)!.speed + TASK_OVERHEAD_MS, () => {
      running.delete(id);
      if (sched.taskSucceeded(lease.leaseId, { workerId: id, startedAtMs, endedAtMs: clock.nowMs, outputs: {} }))
        bump(accepted, `${lease.jobId}/${lease.task.taskId}`);
      runMerges();
      wakeAll();
    });
    running.set(id, { lease, event });
  };
  const wakeAll = (): void => [...alive].forEach(wake);

  // As JobCoordinator: merges run here, where the tiles are, one at a time, as soon as they are ready.
  let merging = false;
  const runMerges = (): void => {
    const lease = merging ? null : sched.requestMerge(COORDINATOR);
    if (!lease) return;
    merging = true;
    const startedAtMs = clock.nowMs;
    clock.at(clock.nowMs + workMs(team, lease.jobId, lease.task) + TASK_OVERHEAD_MS, () => {
      merging = false;
      if (sched.taskSucceeded(lease.leaseId, { workerId: COORDINATOR, startedAtMs, endedAtMs: clock.nowMs, outputs: {} }))
        bump(accepted, `${lease.jobId}/${lease.task.taskId}`);
      runMerges();
      wakeAll();
    });
  };

  const startingTeam = team.machines.filter((m) => m.joinAtMs === 0).length;
  clock.at(0, () => sched.addJob('anim', animation, compileRenderJob('anim', animation, { workersHint: startingTeam })));
  clock.at(team.stillAtMs, () => {
    sched.addJob('still', still, compileRenderJob('still', still, { workersHint: alive.size }));
    wakeAll();
  });
  for (const m of team.machines) {
    clock.at(m.joinAtMs, () => {
      alive.add(m.id);
      sched.workerJoined(m.id, m.coresHint);
      wake(m.id);
    });
  }
  // The vanisher drops off mid-task: it never reports, never renews; the coordinator notices its link gone a little later.
  clock.at(vanisher.leaveAtMs!, () => {
    alive.delete(vanisher.id);
    const r = running.get(vanisher.id);
    heldWhenLeft = r?.lease ?? null;
    if (r) r.event.dead = true;
    running.delete(vanisher.id);
  });
  clock.at(vanisher.leaveAtMs! + LOSS_NOTICE_MS, () => {
    sched.workerLost(vanisher.id);
    lossNoticed = true;
    wakeAll();
  });
  const heartbeat = (): void => {
    for (const id of [...alive, COORDINATOR]) sched.renewLeases(id);
    sched.expireLeases();
    runMerges();
    if (lossNoticed && sched.liveLeases().some((l) => l.workerId === vanisher.id)) liveAfterLoss++;
    wakeAll();
    if (jobStates.size < 2) clock.at(clock.nowMs + HEARTBEAT_MS, heartbeat);
  };
  clock.at(0, heartbeat);
  clock.run(() => jobStates.size === 2, 100 * idealMs(team));

  const ideal = idealMs(team);
  const tasks = new Map(['anim', 'still'].map((id) => [id, sched.tasksOf(id)]));
  return {
    makespanMs: clock.nowMs,
    idealMs: ideal,
    ratio: clock.nowMs / ideal,
    jobStates,
    tasks,
    accepted,
    doneEvents,
    leases,
    heldWhenLeft,
    liveAfterLoss,
    team,
  };
}

describe('PullScheduler on a simulated team (virtual clock)', () => {
  let runs: SimRun[];
  beforeAll(() => {
    runs = SEEDS.map((seed) => simulateTeam(makeTeam(seed)));
  });

  it('plays the scenario it claims: both jobs finish, the still is bucketed and merged here, late frames are split, a machine joins and works, one leaves mid-task', () => {
    for (const run of runs) {
      expect(Object.fromEntries(run.jobStates)).toEqual({ anim: 'done', still: 'done' });
      expect(run.tasks.get('still')!.filter((t) => t.spec.kind === 'bucket').length).toBeGreaterThan(8);
      expect(run.tasks.get('still')!.find((t) => t.spec.kind === 'merge')!.outcome!.workerId).toBe(COORDINATOR);
      // Near the end, frames a slow machine would straggle on are cut into buckets.
      expect(run.tasks.get('anim')!.filter((t) => t.state === 'cancelled').length).toBeGreaterThan(0);
      expect(run.leases.some((l) => l.workerId === run.team.joinerId)).toBe(true);
      expect(run.heldWhenLeft, 'the vanished machine held a task when it left').not.toBeNull();
    }
  });

  it(`finishes within ${TEAM_BOUND}x of the ideal makespan on every seed`, () => {
    const ratios = runs.map((r) => Number(r.ratio.toFixed(3)));
    for (const [i, ratio] of ratios.entries()) expect(ratio, `seed ${SEEDS[i]} (ratios ${ratios.join(', ')})`).toBeLessThan(TEAM_BOUND);
  });

  it('ends every task done exactly once: one accepted result and one taskDone each; only frames split into buckets are cancelled', () => {
    for (const run of runs) {
      for (const [jobId, tasks] of run.tasks) {
        const ids = new Set(tasks.map((t) => t.spec.taskId));
        for (const t of tasks) {
          const key = `${jobId}/${t.spec.taskId}`;
          if (t.state === 'cancelled') {
            // Superseded at run time: its frame's buckets and merge (tagged 's') took its place.
            expect(t.spec.kind).toBe('frames');
            expect(ids.has(`${jobId}:m${t.spec.frames[0]}s`), `${key} was cancelled but never split`).toBe(true);
            expect(run.accepted.get(key) ?? 0).toBe(0);
            continue;
          }
          expect(t.state, key).toBe('done');
          expect(run.accepted.get(key), key).toBe(1);
          expect(run.doneEvents.get(key), key).toBe(1);
        }
      }
      // Every frame of the animation came out once: from its frame task or from its split's merge, never both.
      const anim = run.tasks.get('anim')!;
      for (let f = 1; f <= FRAMES; f++) {
        const finals = anim.filter(
          (t) => t.state === 'done' && t.spec.frames[0] === f && (t.spec.kind === 'frames' || t.spec.kind === 'merge'),
        );
        expect(
          finals.map((t) => t.spec.taskId),
          `frame ${f}`,
        ).toHaveLength(1);
      }
    }
  });

  it('gives the vanished machine nothing after it left, ends its in-flight attempt as lost, and runs that task elsewhere', () => {
    for (const run of runs) {
      const gone = run.team.vanisherId;
      const leftAtMs = run.team.machines.find((m) => m.id === gone)!.leaveAtMs!;
      expect(run.leases.filter((l) => l.workerId === gone && l.atMs >= leftAtMs)).toEqual([]);
      expect(run.liveAfterLoss).toBe(0);
      // The scheduler's own records agree: no attempt of it starts after it left.
      const attempts = [...run.tasks.values()]
        .flat()
        .flatMap((t) => t.attempts)
        .filter((a) => a.workerId === gone);
      expect(attempts.filter((a) => a.startedAtMs >= leftAtMs)).toEqual([]);
      const held = run.heldWhenLeft!;
      const task = run.tasks.get(held.jobId)!.find((t) => t.spec.taskId === held.task.taskId)!;
      expect(task.attempts.find((a) => a.leaseId === held.leaseId)?.result).toBe('lost');
      if (task.state === 'done') expect(task.outcome!.workerId).not.toBe(gone);
      else expect(task.state).toBe('cancelled'); // split once back in the queue; its buckets ran elsewhere
    }
  });

  it('is deterministic: the same seed gives the same leases and makespan', () => {
    const again = simulateTeam(makeTeam(SEEDS[0]!));
    expect(again.makespanMs).toBe(runs[0]!.makespanMs);
    expect(again.leases).toEqual(runs[0]!.leases);
  });

  it(`keeps the bench's workload (test/sim) within ${BENCH_BOUND}x of its lower bound`, () => {
    for (const seed of [1, 2]) {
      const ratio = simulatePullScheduler(makeWorkload(seed)) / lowerBoundMs(makeWorkload(seed));
      expect(ratio, `seed ${seed}`).toBeLessThan(BENCH_BOUND);
    }
  });
});
