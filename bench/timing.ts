// Timing helpers shared by the benchmarks (not itself a benchmark: the runner takes *.bench.js only).
import { spawnSync } from 'node:child_process';

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
export const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)]!;
export const p95 = (values: number[]) => sorted(values)[Math.min(values.length - 1, Math.floor(values.length * 0.95))]!;

/** Milliseconds of each of `runs` runs, after one warm-up run that pays for module loading. */
export async function timeRuns(run: () => Promise<unknown> | unknown, runs: number): Promise<number[]> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times;
}

/** Milliseconds one command takes as a process, as cron would run it; throws when it fails. */
export function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${String(result.stderr)}`);
  return performance.now() - started;
}
