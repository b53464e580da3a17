export interface PriorityOptions {
  nice: number;
  ioniceClass: 'none' | 'best-effort' | 'idle';
  ioniceLevel: number;
  cpuAffinity: string;
}

/**
 * Wraps the plotter in taskset / ionice / nice, each of which execs the next: the plotter keeps its
 * own pid and command line, so the process table still recognises it.
 */
export function wrapWithPriority(
  command: string,
  args: string[],
  options: PriorityOptions,
): { command: string; args: string[] } {
  let argv = [command, ...args];
  if (options.nice > 0) argv = ['nice', '-n', String(options.nice), ...argv];
  if (options.ioniceClass === 'idle') argv = ['ionice', '-c', '3', ...argv];
  if (options.ioniceClass === 'best-effort') argv = ['ionice', '-c', '2', '-n', String(options.ioniceLevel), ...argv];
  if (options.cpuAffinity !== '') argv = ['taskset', '-c', options.cpuAffinity, ...argv];
  return { command: argv[0]!, args: argv.slice(1) };
}
