import fs from 'node:fs';
import type { HomePaths } from '../config/home.js';
import { writePromFile } from '../metrics/write-prom-file.js';
import { errorMessage } from '../util/error-message.js';
import { buildArchiverRegistry, type StagingSpace } from './archiver-metrics.js';
import {
  readTotals,
  writeArchiverProgress,
  type ArchiverProgress,
  type TargetStatus,
  type TransferProgress,
} from './archiver-progress.js';

/** What the archiver shows: its last pass and the transfers running now. */
export interface ArchiverShown {
  paths: HomePaths;
  pidStart: number;
  now: number;
  waiting: number;
  statuses: TargetStatus[];
  staging: StagingSpace[];
  transfers: TransferProgress[];
  sayOnce: (key: string, level: 'info' | 'warn', message: string | null) => void;
}

function progressOf(shown: ArchiverShown): ArchiverProgress {
  return {
    pid: process.pid,
    pidStart: shown.pidStart,
    updatedAt: shown.now,
    waiting: shown.waiting,
    transfers: shown.transfers.map((transfer) => ({ ...transfer })),
    targets: shown.statuses,
  };
}

/** The progress file `goplot status` and `goplot view` read. */
export function writeProgress(shown: ArchiverShown): void {
  try {
    writeArchiverProgress(shown.paths, progressOf(shown));
  } catch (error) {
    shown.sayOnce('progress', 'warn', `cannot write the archiver's progress: ${errorMessage(error)}`);
  }
}

/** The progress file and archiver.prom in prom_dir (said once when prom_dir is missing). */
export async function writeOutputs(shown: ArchiverShown, promDir: string, success: boolean): Promise<void> {
  writeProgress(shown);
  if (!fs.existsSync(promDir)) {
    shown.sayOnce('prom', 'warn', `prom_dir ${promDir} does not exist: archiver.prom is not written`);
    return;
  }
  shown.sayOnce('prom', 'info', null);
  try {
    const headingTo = new Map<string, number>();
    for (const transfer of shown.transfers) headingTo.set(transfer.target, (headingTo.get(transfer.target) ?? 0) + 1);
    await writePromFile(
      promDir,
      'archiver',
      buildArchiverRegistry(progressOf(shown), readTotals(shown.paths), headingTo, success, shown.now, shown.staging),
    );
  } catch (error) {
    shown.sayOnce('prom', 'warn', `cannot write archiver.prom: ${errorMessage(error)}`);
  }
}
