import fs from 'node:fs';
import { plural, type DiskOutcome, type DiskReport } from './disk-report.js';
import { errorMessage } from '../util/error-message.js';

/** ` (it does not exist)`, ` (cannot read it: …)` or nothing, for the summary of a run that found no disk. */
function whyNoDisks(farmRoot: string): string {
  try {
    fs.readdirSync(farmRoot);
    return '';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? ' (it does not exist)'
      : ` (cannot read it: ${errorMessage(error)})`;
  }
}

/** The run's one summary line: disks by outcome, plots running, state files written, time taken. */
export function summariseDiskhand(
  reports: readonly DiskReport[],
  run: { disks: number; farmRoot: string; plotsSeen: number; seconds: number },
): { summary: string; written: number; errors: number } {
  const count = (outcome: DiskOutcome) => reports.filter((report) => report.outcome === outcome).length;
  const farms = new Set(reports.map((report) => report.farm)).size;
  const written = reports.filter((report) => report.written).length;
  const seconds = run.seconds.toFixed(2);
  const summary =
    run.disks === 0
      ? `no disks under ${run.farmRoot}${whyNoDisks(run.farmRoot)}; ${plural(run.plotsSeen, 'plot')} running (${seconds} s)`
      : `${plural(run.disks, 'disk')} in ${plural(farms, 'farm')}: ${count('room')} with room, ${count('full')} full, ${count('read-only')} read-only, ${count('off')} off, ` +
        `${count('unmounted')} unmounted, ${count('skipped')} skipped, ${plural(count('error'), 'error')}; ` +
        `${plural(run.plotsSeen, 'plot')} running; ${plural(written, 'state file')} written (${seconds} s)`;
  return { summary, written, errors: count('error') };
}
