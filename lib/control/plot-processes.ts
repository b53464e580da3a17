import { listPids, readStat } from '../farm/proc-read.js';

/** The plot's process and every process below it (plotters start helpers), from /proc's ppids. */
export function processTree(rootPid: number, procDir = '/proc'): number[] {
  const children = new Map<number, number[]>();
  for (const pid of listPids(procDir)) {
    const stat = readStat(procDir, pid);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (tree.includes(pid)) continue;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Sends the signal to each process of the tree; one that ended meanwhile is skipped. Returns those signalled. */
export function signalTree(rootPid: number, signal: NodeJS.Signals, procDir = '/proc'): number[] {
  const signalled: number[] = [];
  for (const pid of processTree(rootPid, procDir)) {
    try {
      process.kill(pid, signal);
      signalled.push(pid);
    } catch {
      // gone already
    }
  }
  return signalled;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
