import fs from 'node:fs';
import { errorMessage } from '../util/error-message.js';

/** Time as a line sees it when printed, so logged durations agree with the wall clock. */
export interface LineClock {
  now: Date;
  /** Seconds since the last `mark` step (a table or pass start). */
  sinceMark: number;
  sincePhase: number;
  sinceStart: number;
}

export type LineText = string | ((clock: LineClock) => string);

export type SimStep =
  | { kind: 'line'; text: LineText }
  | { kind: 'mark' }
  /** The start of phase N: where SIMPLOTTER_FAIL_PHASE=N dies. */
  | { kind: 'phase'; phase: number }
  /** The end of the last phase: what follows is the copy and summary. */
  | { kind: 'end' }
  /** header: the plot header at the file's start (the rest zeros), as a plotter writes it first. */
  | { kind: 'create'; files: string[]; bytes: number; header?: Buffer }
  | { kind: 'remove'; files: string[] }
  /** rename(2), or copy and remove across filesystems. */
  | { kind: 'move'; from: string; to: string }
  | { kind: 'copy'; from: string; to: string };

export interface SimScript {
  steps: SimStep[];
  /** Share of the plot's time each phase takes, phase 1 first. */
  phaseWeights: number[];
  /** What the plotter prints when it dies at the start of phase N. */
  failure(phase: number): { stdout: string[]; stderr: string[] };
  /** Lines a wrapper adds after a printed line (chia's `Progress update: 0.42`). */
  afterLine?: (line: string) => string[];
}

export interface SimIo {
  write(text: string): void;
  writeError(text: string): void;
  now(): number;
  sleep(ms: number): Promise<void>;
}

const HEADER_SHARE = 0.01;
const FOOTER_SHARE = 0.04;
/** Below this a wait is not worth a timer; lines are printed in a batch instead. */
const MIN_SLEEP_MS = 15;

/** Due time (ms from start) of every step: lines spread evenly over their phase's share. */
function scheduleSteps(script: SimScript, totalMs: number): number[] {
  const phases = script.phaseWeights.length;
  const weightSum = script.phaseWeights.reduce((a, b) => a + b, 0) || 1;
  const durations = [
    HEADER_SHARE * totalMs,
    ...script.phaseWeights.map((w) => ((1 - HEADER_SHARE - FOOTER_SHARE) * totalMs * w) / weightSum),
    FOOTER_SHARE * totalMs,
  ];
  const segmentOf: number[] = [];
  let segment = 0;
  for (const step of script.steps) {
    if (step.kind === 'phase') segment = Math.min(step.phase, phases);
    if (step.kind === 'end') segment = phases + 1;
    segmentOf.push(segment);
  }
  const linesIn = durations.map(
    (_, s) => script.steps.filter((step, i) => step.kind === 'line' && segmentOf[i] === s).length,
  );
  const starts = durations.map((_, s) => durations.slice(0, s).reduce((a, b) => a + b, 0));
  const seen = durations.map(() => 0);
  return script.steps.map((step, i) => {
    const s = segmentOf[i];
    if (step.kind !== 'line') return starts[s] + (linesIn[s] ? (seen[s] / linesIn[s]) * durations[s] : 0);
    seen[s] += 1;
    return starts[s] + (seen[s] / linesIn[s]) * durations[s];
  });
}

function doFileStep(step: SimStep): void {
  if (step.kind === 'create') {
    // sparse past the header: SIMPLOTTER_FINAL_BYTES can be a real plot's size without using it
    const header = step.header ? step.header.subarray(0, Math.min(step.header.length, step.bytes)) : Buffer.alloc(0);
    for (const file of step.files) {
      fs.writeFileSync(file, header);
      fs.truncateSync(file, step.bytes);
    }
  } else if (step.kind === 'remove') {
    for (const file of step.files) fs.rmSync(file, { force: true });
  } else if (step.kind === 'copy') {
    fs.copyFileSync(step.from, step.to);
  } else if (step.kind === 'move') {
    try {
      fs.renameSync(step.from, step.to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      fs.copyFileSync(step.from, step.to);
      fs.rmSync(step.from);
    }
  }
}

/**
 * Plays a plot: prints its lines at their due times and does its file steps. Returns the exit
 * code: 0 when done, 1 when told to fail (SIMPLOTTER_FAIL_PHASE) or a file step fails; temp
 * files stay behind then, as they do when a real plotter dies.
 */
export async function runSimScript(
  script: SimScript,
  options: { seconds: number; failPhase: number; io: SimIo },
): Promise<number> {
  const { io } = options;
  const due = scheduleSteps(script, options.seconds * 1000);
  const start = io.now();
  let markAt = start;
  let phaseAt = start;
  let pending = '';
  const flush = (): void => {
    if (pending) io.write(pending);
    pending = '';
  };
  const print = (line: string): void => {
    pending += `${line}\n`;
    for (const extra of script.afterLine?.(line) ?? []) pending += `${extra}\n`;
  };
  for (const [i, step] of script.steps.entries()) {
    const wait = start + due[i] - io.now();
    if (wait >= MIN_SLEEP_MS) {
      flush();
      await io.sleep(wait);
    }
    const now = io.now();
    if (step.kind === 'line') {
      const clock = {
        now: new Date(now),
        sinceMark: (now - markAt) / 1000,
        sincePhase: (now - phaseAt) / 1000,
        sinceStart: (now - start) / 1000,
      };
      print(typeof step.text === 'string' ? step.text : step.text(clock));
    } else if (step.kind === 'mark') {
      markAt = now;
    } else if (step.kind === 'phase') {
      if (step.phase === options.failPhase) {
        const failure = script.failure(step.phase);
        failure.stdout.forEach(print);
        flush();
        for (const line of failure.stderr) io.writeError(`${line}\n`);
        return 1;
      }
      phaseAt = now;
      markAt = now;
    } else if (step.kind !== 'end') {
      try {
        doFileStep(step);
      } catch (error) {
        flush();
        io.writeError(`${errorMessage(error)}\n`);
        return 1;
      }
    }
  }
  flush();
  return 0;
}

/** `12.345`, the way plotters print seconds; never 0 so a parser sees a real duration. */
export function secs(value: number, digits = 3): string {
  return Math.max(value, 10 ** -digits).toFixed(digits);
}

export function sameFilesystem(a: string, b: string): boolean {
  try {
    return fs.statSync(a).dev === fs.statSync(b).dev;
  } catch {
    return false;
  }
}
