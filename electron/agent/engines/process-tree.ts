// Owns reading a process and everything it started, as one: an engine in a sandbox is a launcher
// whose children do the work, so its memory and CPU are the tree's. Linux lists a thread's
// children in /proc/<pid>/task/<tid>/children; elsewhere a tree is its root alone.

import { readFileSync, readdirSync } from 'node:fs';

/** `pid` and its descendants, parents first; just [pid] where /proc cannot say. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length && tree.length < 4096; i++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${tree[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${tree[i]}/task/${tid}/children`, 'latin1').split(' ')) {
          if (child.trim()) tree.push(Number(child));
        }
      } catch {
        /* exited meanwhile */
      }
    }
  }
  return tree;
}
