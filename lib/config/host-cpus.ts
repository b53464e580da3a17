import fs from 'node:fs';
import os from 'node:os';
import { expandCpuList } from './value-parsers.js';

let cached: number[] | null | undefined;

/**
 * The CPUs this host has online (what taskset can be given), read once per process from
 * /sys/devices/system/cpu/online; where that is not readable, 0 to os.cpus() - 1; null when
 * neither says anything (then a cpu_affinity is checked for its form only).
 */
export function hostCpus(): number[] | null {
  if (cached !== undefined) return cached;
  let fromSys: number[] | null = null;
  try {
    fromSys = expandCpuList(fs.readFileSync('/sys/devices/system/cpu/online', 'utf8').trim());
  } catch {
    // no sysfs (a container without it): os.cpus() below
  }
  const count = os.cpus().length;
  cached = fromSys ?? (count > 0 ? Array.from({ length: count }, (_, cpu) => cpu) : null);
  return cached;
}
