import type { ChainHeight } from './chain-height.js';
import { describeHeight } from './chain-height.js';
import type { Checkpoint, Deadline, MigrationPlan, Rate } from './plan-migration.js';
import { pos1Steps } from './phaseout.js';

const TIB = 1024 ** 4;

function tib(bytes: number): string {
  return `${(bytes / TIB).toFixed(2)} TiB`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function date(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function rate(r: Rate): string {
  return `${r.pos2PlotsPerDay.toFixed(1)} pos2 plots/day = ${(r.pos1BytesPerDay / TIB).toFixed(3)} TiB/day of pos1 replaced`;
}

function weightText(plan: MigrationPlan): string {
  const steps = pos1Steps(plan.height, plan.params);
  if (plan.height < plan.params.forkHeight) return '1 (before the fork)';
  return `${steps}/${plan.params.phaseoutEpochs + 1} = ${plan.pos1Weight.toFixed(4)}`;
}

function deadlineLine(name: string, deadline: Deadline): string {
  const when = `height ${count(deadline.height)}, ${date(deadline.atMs)}`;
  if (deadline.needed === null)
    return deadline.days <= 0 ? `  ${name} (${when}): already passed` : `  ${name} (${when}): nothing left to replace`;
  return `  ${name} (${when}, ${deadline.days.toFixed(1)} days): ${rate(deadline.needed)}`;
}

function checkpointRow(point: Checkpoint): string {
  const cells = [
    count(point.height).padStart(11),
    date(point.atMs).slice(0, 10).padEnd(10),
    point.pos1Weight.toFixed(4).padStart(6),
    tib(point.pos1EffectiveBytes).padStart(12),
    tib(point.pos2EffectiveBytes).padStart(12),
    tib(point.pos1EffectiveBytes + point.pos2EffectiveBytes).padStart(12),
    tib(point.noReplotBytes).padStart(12),
  ];
  return `  ${cells.join('  ')}  ${point.label}`;
}

function rateLines(plan: MigrationPlan): string[] {
  const { measured } = plan;
  const finish = plan.finish;
  let eta: string;
  if (finish === null) eta = 'never at this rate (no pos2 plot landed last week)';
  else if (finish.days === 0 && plan.pos1.plots === 0) eta = 'already: no pos1 plot is left';
  else
    eta = `height ${count(finish.height)}, ${date(finish.atMs)} (${finish.days.toFixed(1)} days from the ${plan.raceStart.fromFork ? 'fork' : 'start'})`;
  return [
    'Measured rate (pos2 plots landed, by file time, on whole UTC days):',
    `  last day (${measured.lastDay.day}): ${rate(measured.lastDayRate)}`,
    `  last week (${measured.lastWeek.from}..${measured.lastWeek.to}, ${count(measured.lastWeek.plots)} plots): ${rate(measured.rate)}`,
    `  today so far (${measured.today.day}): ${count(measured.today.plots)} pos2 plots`,
    `All pos2 at last week's rate: ${eta}`,
  ];
}

function neededLines(plan: MigrationPlan): string[] {
  const from = plan.raceStart.fromFork
    ? `from the fork (height ${count(plan.fork.height)}, ${date(plan.fork.atMs)}): replacing pos1 earlier only loses space`
    : 'from now';
  const lines = [
    `Needed to be all pos2, ${from}:`,
    deadlineLine(`before the pos1 weight falls under ${plan.target.weight}`, plan.target),
    deadlineLine('before the pos1 weight reaches 0', plan.zero),
  ];
  const need = plan.target.needed;
  if (need !== null && need.pos2PlotsPerDay > plan.measured.rate.pos2PlotsPerDay)
    lines.push(
      `  BEHIND: last week's ${plan.measured.rate.pos2PlotsPerDay.toFixed(1)} pos2 plots/day is below the ${need.pos2PlotsPerDay.toFixed(1)} needed for weight ${plan.target.weight}`,
    );
  return lines;
}

/** What `goplot migrate` prints: where the farm stands in the pos1 phase-out, its rate and the race. */
export function formatMigration(plan: MigrationPlan, height: ChainHeight): string {
  const newPos2 = plan.newPos2;
  const size = newPos2.measured
    ? `the farm's mean pos2 file, ${(newPos2.fileBytes / 1024 ** 3).toFixed(3)} GiB`
    : `${(newPos2.fileBytes / 1024 ** 3).toFixed(3)} GiB, assumed: the farm has no pos2 plot yet`;
  return [
    `Chain height ${describeHeight(height)}, clock ${date(plan.nowMs)}`,
    `pos1 weight now: ${weightText(plan)}; fork at height ${count(plan.fork.height)} (${date(plan.fork.atMs)}), weight 0 from ${count(plan.zero.height)} (${date(plan.zero.atMs)})`,
    '',
    `pos1 left: ${count(plan.pos1.plots)} plots, ${tib(plan.pos1.bytes)} on disk, ${tib(plan.pos1.effectiveBytes)} effective now (${tib(plan.pos1.fullEffectiveBytes)} at weight 1)`,
    `pos2 made: ${count(plan.pos2.plots)} plots, ${tib(plan.pos2.bytes)} on disk, ${tib(plan.pos2.effectiveBytes)} effective now`,
    `Still to make: ${count(plan.pos2ToMake)} pos2 plots (k${newPos2.k}, ${size}) fill the room of the pos1 plots left`,
    '',
    ...rateLines(plan),
    '',
    ...neededLines(plan),
    '',
    "Effective space on the way, at last week's rate (no replot: the farm's room all pos1, phasing out):",
    `  ${['height'.padStart(11), 'date'.padEnd(10), 'weight', 'pos1'.padStart(12), 'pos2'.padStart(12), 'total'.padStart(12), 'no replot'.padStart(12)].join('  ')}`,
    ...plan.checkpoints.map(checkpointRow),
    '',
    'Units: pos2 plots/day = pos2 plot files landed a day; TiB/day of pos1 replaced = those plots x their file size,',
    'the room of pos1 plots they take. Heights turn into dates at 18.75 s a block. TiB = 2^40 bytes.',
  ].join('\n');
}
