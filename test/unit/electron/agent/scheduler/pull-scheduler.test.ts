import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../../../../shared/model/jobs.js';
import type { BuiltinRenderSubmission as RenderSubmission } from '../../../../../electron/agent/engines/builtin-render/render-wire.js';
import { bucketTasks, compileRenderJob, equalRows } from '../../../../../electron/agent/jobs/compile-render-job.js';
import { MemoryJobJournal, type JournalSnapshot } from '../../../../../electron/agent/scheduler/ports.js';
import { PREFETCH_LEASES, PullScheduler, type Lease } from '../../../../../electron/agent/scheduler/pull-scheduler.js';

const submission = (kind: 'animation' | 'still', frames = 4): RenderSubmission => ({
  name: 'job',
  engine: 'builtin-render',
  kind,
  scene: 'scene.glb',
  assets: [],
  settings: { width: 64, height: 64, samplesPerPixel: 4, seed: 1, frameStart: 1, frameEnd: frames, fps: 24, format: 'png' },
  outputDir: '/out',
  priority: 0,
});

function setup(opts: { split?: boolean } = {}) {
  let now = 0;
  const cancelled: Lease[] = [];
  const finished: string[] = [];
  const sched = new PullScheduler(
    { now: () => now },
    new MemoryJobJournal(),
    opts.split ? (job, jobId, task, parts) => bucketTasks(jobId, task.frames[0]!, 64, 64, 4, equalRows(64, parts), 's') : null,
    { cancelLeases: (l) => cancelled.push(...l), jobFinished: (id, state) => finished.push(`${id}:${state}`) },
    5000,
  );
  return { sched, cancelled, finished, advance: (ms: number) => (now += ms), now: () => now };
}
const outcome = (workerId: string, start = 0, end = 1000) => ({ workerId, startedAtMs: start, endedAtMs: end, outputs: {} });

describe('PullScheduler', () => {
  it('hands out each task once and finishes the job when every task is done', () => {
    const { sched, finished } = setup();
    sched.addJob('j', submission('animation'), compileRenderJob('j', submission('animation'), { workersHint: 2 }));
    sched.workerJoined('a', 1);
    sched.workerJoined('b', 1);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const l = sched.requestWork(i % 2 ? 'a' : 'b')!;
      expect(seen.has(l.task.taskId)).toBe(false);
      seen.add(l.task.taskId);
      sched.taskSucceeded(l.leaseId, outcome(l.workerId));
    }
    expect(finished).toEqual(['j:done']);
  });

  it('returns a task whose lease lapsed (no heartbeats) to the queue', () => {
    const { sched, advance } = setup();
    sched.addJob('j', submission('animation', 1), compileRenderJob('j', submission('animation', 1), { workersHint: 1 }));
    sched.workerJoined('a', 1);
    sched.workerJoined('b', 1);
    const l = sched.requestWork('a')!;
    expect(sched.requestWork('b')).toBeNull(); // nothing else queued, and b is no faster: no speculation
    advance(6000);
    sched.expireLeases();
    const again = sched.requestWork('b')!;
    expect(again.task.taskId).toBe(l.task.taskId);
    expect(sched.taskSucceeded(l.leaseId, outcome('a'))).toBe(false); // the lapsed lease's late result is not used
  });

  it('heartbeats keep a lease alive; a lost worker gives its task back at once', () => {
    const { sched, advance } = setup();
    sched.addJob('j', submission('animation', 1), compileRenderJob('j', submission('animation', 1), { workersHint: 1 }));
    sched.workerJoined('a', 1);
    const l = sched.requestWork('a')!;
    advance(4000);
    sched.renewLeases('a');
    advance(4000);
    sched.expireLeases();
    expect(sched.tasksOf('j')[0]!.state).toBe('leased');
    sched.workerLost('a');
    expect(sched.tasksOf('j')[0]!.state).toBe('queued');
    expect(sched.requestWork('b')!.task.taskId).toBe(l.task.taskId);
  });

  it('a heartbeat that lists the worker\'s leases keeps only those alive: one whose messages were lost lapses and runs again', () => {
    const { sched, advance } = setup(); // leases of 5 s
    sched.addJob('j', submission('animation', 2), compileRenderJob('j', submission('animation', 2), { workersHint: 1 }));
    sched.workerJoined('a', 1);
    sched.setTaskSlots('a', 2);
    const kept = sched.requestWork('a')!;
    const lost = sched.requestWork('a')!; // its work.lease never reached the worker, say
    for (let i = 0; i < 6; i++) {
      advance(1000);
      sched.renewLeases('a', [kept.leaseId, 'a lease of another coordinator']);
      sched.expireLeases();
    }
    const byId = new Map(sched.tasksOf('j').map((t) => [t.spec.taskId, t.state]));
    expect(byId.get(kept.task.taskId)).toBe('leased');
    expect(byId.get(lost.task.taskId)).toBe('queued');
    expect(sched.requestWork('b')!.task.taskId).toBe(lost.task.taskId);
    // A worker whose heartbeats list nothing (before 2.3) keeps every lease alive, as before.
    advance(4000);
    sched.renewLeases('a');
    advance(4000);
    sched.expireLeases();
    expect(sched.tasksOf('j').find((t) => t.spec.taskId === kept.task.taskId)!.state).toBe('leased');
  });

  it('a worker that joins mid-job gets work at once', () => {
    const { sched } = setup();
    sched.addJob('j', submission('animation', 3), compileRenderJob('j', submission('animation', 3), { workersHint: 1 }));
    sched.workerJoined('a', 1);
    sched.requestWork('a');
    expect(sched.requestWork('newcomer')).not.toBeNull();
  });

  it('a worker whose one measured task was slow (start-up) still gets work while a teammate keeps taking it', () => {
    const { sched, advance, now } = setup();
    const job = submission('animation', 40);
    sched.addJob('j', job, compileRenderJob('j', job, { workersHint: 8 }));
    sched.workerJoined('a', 1);
    sched.workerJoined('b', 1);
    const first = sched.requestWork('b')!;
    for (let i = 0; i < 6; i++) {
      const l = sched.requestWork('a')!;
      advance(100);
      sched.taskSucceeded(l.leaseId, outcome('a', now() - 100, now()));
    }
    sched.taskSucceeded(first.leaseId, outcome('b', 0, 3000)); // its engine started and loaded the scene first
    const l = sched.requestWork('a')!; // a keeps taking work, so the team-wide "nobody is leasing" rule never fires
    expect(sched.requestWork('b')).not.toBeNull();
    sched.taskSucceeded(l.leaseId, outcome('a', now(), now() + 100));
  });

  it('re-runs a straggler on a faster idle worker; the first result wins and the other copy is cancelled', () => {
    const { sched, cancelled, advance } = setup();
    sched.addJob('j', submission('animation', 2), compileRenderJob('j', submission('animation', 2), { workersHint: 2 }));
    sched.workerJoined('slow', 4);
    sched.workerJoined('fast', 8);
    const slow = sched.requestWork('slow')!;
    const fast1 = sched.requestWork('fast')!;
    advance(100);
    sched.taskSucceeded(fast1.leaseId, outcome('fast', 0, 100));
    expect(sched.requestWork('fast')).toBeNull(); // the slow copy is still on schedule
    advance(900); // now it is five times overdue: a straggler
    const copy = sched.requestWork('fast')!;
    expect(copy.speculative).toBe(true);
    expect(copy.task.taskId).toBe(slow.task.taskId);
    sched.taskSucceeded(copy.leaseId, outcome('fast', 100, 200));
    expect(cancelled.map((l) => l.leaseId)).toEqual([slow.leaseId]);
    expect(sched.jobState('j')).toBe('done');
  });

  it('tells idle workers to ask once a teammate that stays linked sits on a task past its time, and they race it', () => {
    // Workers ask only coordinators whose heartbeat says there is work. With only "queued tasks"
    // counted, a hoarder's (or a hung worker's) last frames were raced only if someone happened to
    // ask before the queue ran dry: otherwise the job waited for ever.
    const { sched, advance, now } = setup();
    sched.addJob('j', submission('animation', 4), compileRenderJob('j', submission('animation', 4), { workersHint: 2 }));
    sched.workerJoined('hoarder', 1);
    sched.workerJoined('honest', 1);
    const hoarded = [sched.requestWork('hoarder')!, sched.requestWork('hoarder')!];
    for (let i = 0; i < 2; i++) {
      const l = sched.requestWork('honest')!;
      advance(100);
      sched.taskSucceeded(l.leaseId, outcome('honest', now() - 100, now()));
    }
    sched.renewLeases('hoarder', hoarded.map((l) => l.leaseId)); // it keeps them alive and never finishes
    expect(sched.hasWorkToOffer()).toBe(false); // both copies are still on schedule
    advance(400);
    sched.renewLeases('hoarder', hoarded.map((l) => l.leaseId));
    expect(sched.hasWorkToOffer()).toBe(true);
    const first = sched.requestWork('honest')!;
    expect(first.speculative).toBe(true);
    expect(sched.hasWorkToOffer()).toBe(false); // the one idle machine is busy with it: nobody else would ask
    advance(100);
    sched.taskSucceeded(first.leaseId, outcome('honest', now() - 100, now()));
    expect(sched.hasWorkToOffer()).toBe(true); // idle again, and the other hoarded frame is still overdue
    const second = sched.requestWork('honest')!;
    expect(new Set([first.task.taskId, second.task.taskId])).toEqual(new Set(hoarded.map((l) => l.task.taskId)));
    sched.taskSucceeded(second.leaseId, outcome('honest', now(), now() + 100));
    expect(sched.jobState('j')).toBe('done');
    expect(sched.hasWorkToOffer()).toBe(false);
  });

  it('a task whose racing copy hangs too gets a third copy once both are overdue, and never a fourth', () => {
    const { sched, advance, now } = setup();
    sched.addJob('j', submission('animation', 2), compileRenderJob('j', submission('animation', 2), { workersHint: 2 }));
    for (const w of ['hung', 'hoarder', 'honest', 'spare']) sched.workerJoined(w, 1);
    const probe = sched.requestWork('honest')!;
    advance(100);
    sched.taskSucceeded(probe.leaseId, outcome('honest', now() - 100, now()));
    const stuck = sched.requestWork('hung')!;
    advance(500);
    const copy = sched.requestWork('hoarder')!; // races the overdue frame, then sits on it as well
    expect(copy.task.taskId).toBe(stuck.task.taskId);
    expect(sched.requestWork('honest')).toBeNull(); // the new copy is on schedule
    advance(500);
    sched.renewLeases('hung');
    sched.renewLeases('hoarder');
    expect(sched.hasWorkToOffer()).toBe(true);
    const third = sched.requestWork('honest')!;
    expect(third.task.taskId).toBe(stuck.task.taskId);
    advance(5000);
    sched.renewLeases('hung');
    sched.renewLeases('hoarder');
    sched.renewLeases('honest');
    expect(sched.requestWork('spare')).toBeNull();
    sched.taskSucceeded(third.leaseId, outcome('honest', now() - 100, now()));
    expect(sched.jobState('j')).toBe('done');
  });

  it('keeps a bake\'s next chunk for the machine that ran the last one while it comes for it, and hands it on when it does not', () => {
    const { sched, advance, now } = setup();
    const chunk = (i: number): TaskSpec => ({ taskId: `b:c${i}`, kind: 'chunk', frames: [i], region: null, dependsOn: i === 0 ? [] : [`b:c${i - 1}`], cost: 1000, ...(i > 0 ? { sticky: true } : {}) });
    sched.addJob('b', submission('animation', 3), [chunk(0), chunk(1), chunk(2)]);
    sched.workerJoined('warm', 1);
    sched.workerJoined('other', 1);
    const c0 = sched.requestWork('warm')!;
    advance(1000);
    sched.taskSucceeded(c0.leaseId, outcome('warm', now() - 1000, now()));
    expect(sched.requestWork('other')).toBeNull(); // warm's world is warm: its chunk waits for it
    const c1 = sched.requestWork('warm')!;
    expect(c1.task.taskId).toBe('b:c1');
    advance(1000);
    sched.taskSucceeded(c1.leaseId, outcome('warm', now() - 1000, now()));
    // warm stays linked and sharing, but never comes for the next chunk (hung, or busy elsewhere).
    advance(3000);
    sched.renewLeases('warm');
    expect(sched.requestWork('other')).toBeNull();
    advance(2500);
    expect(sched.requestWork('other')?.task.taskId).toBe('b:c2');
  });

  it('races a task it would beat even when the task predicted to finish last is one it would not', () => {
    const { sched, advance } = setup();
    const big = { ...submission('animation', 1), settings: { ...submission('animation', 1).settings, width: 640, height: 640 } };
    sched.addJob('small', submission('animation', 2), compileRenderJob('small', submission('animation', 2), { workersHint: 2 }));
    sched.workerJoined('fast', 1);
    sched.workerJoined('idle', 1);
    sched.workerJoined('stuck', 1);
    // fast is measured at 1 cost unit a ms; the others are taken to be as fast.
    const probe = sched.requestWork('fast')!;
    sched.taskSucceeded(probe.leaseId, outcome('fast', 0, probe.task.cost));
    const stuck = sched.requestWork('stuck')!; // the small job's last frame, on a machine that hangs
    sched.addJob('big', big, compileRenderJob('big', big, { workersHint: 1 }));
    const huge = sched.requestWork('fast')!; // 100x the cost, just started on the fastest machine
    expect(huge.jobId).toBe('big');
    advance(probe.task.cost * 5); // the small frame is long overdue; the big one is far from done
    sched.renewLeases('stuck');
    sched.renewLeases('fast');
    const held = sched.requestWork('idle');
    expect(held?.task.taskId).toBe(stuck.task.taskId);
    expect(held?.speculative).toBe(true);
  });

  it('blocklists a worker after 3 failures in a job, and fails the job when a task failed on 3 workers, with every error', () => {
    const { sched } = setup();
    sched.addJob('j', submission('animation', 2), compileRenderJob('j', submission('animation', 2), { workersHint: 1 }));
    ['w2', 'w3'].forEach((w) => sched.workerJoined(w, 1));
    for (let i = 0; i < 3; i++) sched.taskFailed(sched.requestWork('bad')!.leaseId, `boom ${i}`);
    expect(sched.isBlocklisted('j', 'bad')).toBe(true);
    expect(sched.requestWork('bad')).toBeNull();
    const t = sched.tasksOf('j').find((x) => x.failures.length > 0)!.spec.taskId;
    for (const w of ['w2', 'w3']) {
      let l = sched.requestWork(w)!;
      while (l.task.taskId !== t) {
        sched.taskSucceeded(l.leaseId, outcome(w));
        l = sched.requestWork(w)!;
      }
      sched.taskFailed(l.leaseId, `${w} crashed`);
    }
    expect(sched.jobState('j')).toBe('failed');
    const errors = sched.jobInfo('j').errors.join('\n');
    expect(errors).toContain('w2 crashed');
    expect(errors).toContain('w3 crashed');
    expect(errors).toContain('boom');
  });

  it('fails the job, saying why, when every machine on the team is blocklisted for it', () => {
    const { sched } = setup();
    sched.addJob('j', submission('animation', 2), compileRenderJob('j', submission('animation', 2), { workersHint: 1 }));
    for (let i = 0; i < 3; i++) sched.taskFailed(sched.requestWork('only')!.leaseId, 'out of memory');
    expect(sched.jobState('j')).toBe('failed');
    expect(sched.jobInfo('j').errors[0]).toMatch(/Every machine .* out of memory/);
  });

  it('a released lease goes back to the queue without counting as a failure; only its holder may release or start it', () => {
    const { sched } = setup();
    sched.addJob('j', submission('animation', 1), compileRenderJob('j', submission('animation', 1), { workersHint: 1 }));
    const l = sched.requestWork('a')!;
    sched.taskStarted(l.leaseId, 'intruder');
    expect(sched.tasksOf('j')[0]!.state).toBe('leased');
    sched.releaseLease(l.leaseId, 'intruder');
    expect(sched.tasksOf('j')[0]!.state).toBe('leased');
    sched.releaseLease(l.leaseId, 'a');
    expect(sched.tasksOf('j')[0]!.state).toBe('queued');
    expect(sched.isBlocklisted('j', 'a')).toBe(false);
    expect(sched.tasksOf('j')[0]!.failures).toEqual([]);
  });

  it('redo puts done tasks back in the queue', () => {
    const { sched } = setup();
    sched.addJob('s', submission('still'), compileRenderJob('s', submission('still'), { workersHint: 2 }));
    const l = sched.requestWork('w')!;
    sched.taskSucceeded(l.leaseId, outcome('w'));
    sched.redo('s', [l.task.taskId]);
    expect(sched.tasksOf('s').find((t) => t.spec.taskId === l.task.taskId)!.state).toBe('queued');
  });

  it('a still compiles to buckets and a merge that waits for them', () => {
    const { sched } = setup();
    const tasks = compileRenderJob('s', submission('still'), { workersHint: 2 });
    const merge = tasks[tasks.length - 1]!;
    expect(merge.kind).toBe('merge');
    sched.addJob('s', submission('still'), tasks);
    sched.setTaskSlots('w', tasks.length); // a worker that can run every bucket at once may hold them all
    const leased: Lease[] = [];
    let l: Lease | null;
    while ((l = sched.requestWork('w')) && l.task.kind === 'bucket') leased.push(l);
    expect(l).toBeNull(); // the merge is not ready until the buckets are done
    leased.forEach((x) => sched.taskSucceeded(x.leaseId, outcome('w')));
    expect(sched.requestWork('w')!.task.kind).toBe('merge');
  });

  it('near the end, splits a frame a slow worker would straggle on into buckets', () => {
    const { sched } = setup({ split: true });
    sched.addJob('j', submission('animation', 1), [{ taskId: 'j:f1', kind: 'frames', frames: [1], region: null, dependsOn: [], cost: 64 * 64 * 4, splittable: true } as TaskSpec]);
    sched.workerJoined('fast', 8);
    sched.workerJoined('slow', 1);
    const l = sched.requestWork('slow')!;
    expect(l.task.kind).toBe('bucket');
    expect(sched.tasksOf('j').find((t) => t.spec.taskId === 'j:f1')!.state).toBe('cancelled');
  });

  it('pause stops new leases, resume restarts them, cancel stops running ones', () => {
    const { sched, cancelled } = setup();
    sched.addJob('j', submission('animation'), compileRenderJob('j', submission('animation'), { workersHint: 1 }));
    const running = sched.requestWork('a')!;
    sched.pauseJob('j');
    expect(sched.requestWork('b')).toBeNull();
    sched.resumeJob('j');
    expect(sched.requestWork('b')).not.toBeNull();
    sched.cancelJob('j');
    expect(cancelled.map((x) => x.leaseId)).toContain(running.leaseId);
    expect(sched.jobState('j')).toBe('cancelled');
  });

  it('restores from a journal snapshot: done stays done, in-flight work is queued again', () => {
    const { sched } = setup();
    const tasks = compileRenderJob('j', submission('animation', 3), { workersHint: 1 });
    const snapshot: JournalSnapshot = {
      jobs: [
        {
          jobId: 'j',
          submission: submission('animation', 3),
          state: 'running',
          createdAtMs: 0,
          finishedAtMs: null,
          errors: [],
          untrusted: [],
          tasks: [
            { spec: tasks[0]!, state: 'done', outcome: outcome('a'), failures: [] },
            { spec: tasks[1]!, state: 'running', outcome: null, failures: [] },
            { spec: tasks[2]!, state: 'queued', outcome: null, failures: [] },
          ],
        },
      ],
    };
    sched.restore(snapshot);
    const got = [sched.requestWork('a')!.task.taskId, sched.requestWork('b')!.task.taskId].sort();
    expect(got).toEqual([tasks[1]!.taskId, tasks[2]!.taskId].sort());
  });

  it('restores the workers found returning wrong results: they get none of the job\'s tasks after a restart either', () => {
    const { sched } = setup();
    const tasks = compileRenderJob('j', submission('animation', 3), { workersHint: 1 });
    const job = (untrusted: string[]): JournalSnapshot['jobs'][number] => ({
      jobId: 'j',
      submission: submission('animation', 3),
      state: 'running',
      createdAtMs: 0,
      finishedAtMs: null,
      errors: ['cheat returned a wrong result for task j:f0'],
      untrusted,
      tasks: tasks.map((spec) => ({ spec, state: 'queued' as const, outcome: null, failures: [] })),
    });
    sched.restore({ jobs: [job(['cheat'])] });
    expect(sched.requestWork('cheat')).toBeNull();
    expect(sched.requestWork('honest')).not.toBeNull();
  });

  describe('lease budget per worker', () => {
    const manyFrames = () => {
      const ctx = setup();
      ctx.sched.addJob('j', submission('animation', 40), compileRenderJob('j', submission('animation', 40), { workersHint: 4 }));
      return ctx;
    };
    const take = (sched: PullScheduler, worker: string, asks: number): Lease[] => {
      const got: Lease[] = [];
      for (let i = 0; i < asks; i++) {
        const l = sched.requestWork(worker);
        if (l) got.push(l);
      }
      return got;
    };

    it('a worker that asks again and again holds what it can run plus one prefetch, and the rest is left for others', () => {
      const { sched } = manyFrames();
      sched.workerJoined('hoarder', 1);
      sched.workerJoined('honest', 1);
      expect(take(sched, 'hoarder', 100)).toHaveLength(1 + PREFETCH_LEASES); // 1 task at a time until it says otherwise
      expect(sched.leasesHeld('hoarder')).toBe(2);
      expect(sched.requestWork('honest')).not.toBeNull();
      expect(sched.tasksOf('j').filter((t) => t.state === 'queued').length).toBeGreaterThan(30);
    });

    it('follows the slots the worker announced, and a finished task frees one', () => {
      const { sched } = manyFrames();
      sched.workerJoined('w', 8);
      sched.setTaskSlots('w', 3);
      const held = take(sched, 'w', 50);
      expect(held).toHaveLength(4);
      sched.taskSucceeded(held[0]!.leaseId, outcome('w'));
      expect(take(sched, 'w', 50)).toHaveLength(1);
      sched.setTaskSlots('w', 0); // its owner stopped sharing: nothing more, and what it holds stays
      sched.taskSucceeded(held[1]!.leaseId, outcome('w'));
      expect(sched.requestWork('w')).toBeNull();
      expect(sched.leasesHeld('w')).toBe(3);
    });

    it('a lapsed, lost or handed-back lease no longer counts', () => {
      const { sched, advance } = manyFrames();
      sched.workerJoined('w', 1);
      const [a, b] = take(sched, 'w', 5);
      expect(sched.requestWork('w')).toBeNull();
      sched.releaseLease(a!.leaseId, 'w');
      expect(sched.requestWork('w')).not.toBeNull();
      sched.taskFailed(b!.leaseId, 'boom');
      expect(sched.requestWork('w')).not.toBeNull();
      advance(6000);
      sched.expireLeases();
      expect(sched.leasesHeld('w')).toBe(0);
      expect(take(sched, 'w', 5)).toHaveLength(2);
      sched.workerLost('w');
      expect(sched.leasesHeld('w')).toBe(0);
    });

    it('speculative copies count too', () => {
      const { sched, advance } = setup();
      sched.addJob('j', submission('animation', 3), compileRenderJob('j', submission('animation', 3), { workersHint: 2 }));
      sched.workerJoined('slow', 4);
      sched.workerJoined('fast', 8);
      sched.requestWork('slow');
      const held = sched.requestWork('fast')!; // fast keeps one of its own
      const fast2 = sched.requestWork('fast')!;
      advance(100);
      sched.taskSucceeded(fast2.leaseId, outcome('fast', 0, 100));
      advance(900); // slow's frame is overdue now: a straggler fast could race
      const copy = sched.requestWork('fast')!;
      expect(copy.speculative).toBe(true);
      expect(sched.leasesHeld('fast')).toBe(2);
      sched.taskSucceeded(held.leaseId, outcome('fast', 0, 1000));
      sched.setTaskSlots('fast', 0);
      expect(sched.requestWork('fast')).toBeNull(); // the copy is all a worker that runs nothing more may hold
    });
  });
});

describe('PullScheduler with a worker fit', () => {
  it('leases a job only to workers that can run it, and the others get nothing from it', () => {
    const sched = new PullScheduler({ now: () => 0 }, new MemoryJobJournal(), null, {}, 5000, false, (_job, workerId) => workerId !== 'no-engine');
    sched.addJob('j', submission('animation'), compileRenderJob('j', submission('animation'), { workersHint: 2 }));
    expect(sched.requestWork('no-engine')).toBeNull();
    const lease = sched.requestWork('has-engine')!;
    expect(lease.workerId).toBe('has-engine');
    // Nothing ready for it but a running task: still no speculative copy for a worker that cannot run it.
    expect(sched.requestWork('no-engine')).toBeNull();
  });
});
