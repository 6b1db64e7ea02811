// Child process of the journal durability test: records one job, then completes its tasks one by
// one and prints each id only after taskCompleted returned, so the parent can SIGKILL it mid-stream.
// Usage: node journal-writer.fixture.js <db path> <task count>

import { writeSync } from 'node:fs';
import { SqliteJobJournal } from '../../../../../electron/agent/storage/sqlite-job-journal.js';
import type { JobSubmission, TaskSpec } from '../../../../../shared/model/jobs.js';

const [path, countText] = process.argv.slice(2);
if (path === undefined || countText === undefined) throw new Error('usage: journal-writer <db path> <task count>');
const count = Number(countText);

const submission: JobSubmission = {
  name: 'durability',
  engine: 'builtin-render',
  kind: 'animation',
  scene: 'scene.glb',
  assets: [],
  settings: { width: 64, height: 64, samplesPerPixel: 1, seed: 1, frameStart: 0, frameEnd: count - 1, fps: 24, format: 'png' },
  outputDir: '/tmp/out',
  priority: 0,
};
const tasks: TaskSpec[] = Array.from({ length: count }, (_, i) => ({
  taskId: `t${i}`,
  kind: 'frames',
  frames: [i],
  region: null,
  dependsOn: [],
  cost: 1,
}));

const journal = SqliteJobJournal.open(path);
journal.jobCreated('job', submission, Date.now(), tasks);
// writeSync: the line leaves the process at once, nothing sits in a stream buffer at the kill.
writeSync(1, 'created\n');
for (const task of tasks) {
  const startedAtMs = Date.now();
  journal.taskStateChanged('job', task.taskId, 'running');
  journal.taskCompleted('job', task.taskId, {
    workerId: `w-${task.taskId}`,
    startedAtMs,
    endedAtMs: Date.now(),
    outputs: { image: { hash: `hash-${task.taskId}`, sizeBytes: task.frames[0]! } },
  });
  writeSync(1, `${task.taskId}\n`);
}
// Keep writing until killed, so the kill lands during a journal write whatever the timing;
// give up after a while so a test that forgets to kill leaves no process behind.
const deadlineMs = Date.now() + 60_000;
for (let priority = 1; Date.now() < deadlineMs; priority++) journal.jobPriorityChanged('job', priority);
journal.close();
