import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '../config/config-reader.js';
import { JobConfigReader, jobPaths } from '../jobs/job-config.js';
import { checkJobName } from '../jobs/home-jobs.js';
import { formatBytes, readDiskSpace } from '../farm/disk-space.js';
import { listDisks, listFarms } from '../farm/farm-layout.js';
import { committedKiB } from '../farm/plot-size.js';
import { HeaderCache, headerCacheDir } from '../plot-file/header-cache.js';
import {
  describeHeader,
  readReplotSettings,
  surveyReplotCandidates,
  type ReplotCandidate,
  type ReplotSettings,
  type SkippedPlot,
} from '../replot/replot-candidates.js';
import { ruleMatches } from '../replot/replot-rule.js';
import { replotSequence } from '../replot/replot-sequence.js';
import type { CliIo } from './run-command.js';

interface DiskPlan {
  farm: string;
  disk: string;
  freeBytes: number | null;
  /** In the order the tractors would remove them, each when the disk no longer holds the next plot. */
  plots: ReplotCandidate[];
  /** The plots left alone, and why. */
  skipped: SkippedPlot[];
}

/** A disk's plots the rule matches but that would never go: each says why. */
function neverGoes(plots: readonly ReplotCandidate[], plotBytes: number): SkippedPlot[] {
  const total = plots.reduce((sum, plot) => sum + plot.sizeBytes, 0);
  return plots.map((plot) => ({
    path: plot.path,
    sizeBytes: plot.sizeBytes,
    why:
      plot.sizeBytes < plotBytes && total >= plotBytes
        ? `it frees too little alone to matter (${formatBytes(plot.sizeBytes)}, a new plot needs ${formatBytes(plotBytes)})`
        : `what is left frees too little for one more plot (${formatBytes(total)}, a new plot needs ${formatBytes(plotBytes)})`,
  }));
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

type ReplotOptions = { dryRun: boolean; json: boolean; disk?: string; job?: string };

/** What the dry run found: the settings it judged by, the plot being made, and each disk's plan. */
interface ReplotPlan extends ReplotSettings {
  newPlot: { k: number; compression: number; kind: 'solo' | 'pool' };
  /** `bladebit-ram k32 C5 pool, 82.1 GiB with its margin`. */
  newPlotText: string;
  /** replot_match also matches the plots being made, so the tractors remove nothing. */
  matchesNew: boolean;
  disks: DiskPlan[];
}

/** The exit code when the options cannot be run (no --dry-run, a bad or missing job), else null. */
function refuseOptions(io: CliIo, options: ReplotOptions): number | null {
  if (!options.dryRun) {
    io.err(
      'goplot replot: only --dry-run exists: old plots are removed by the tractors and the archiver, just before a new plot needs their room (echo on > config/replot.goplot)',
    );
    return 2;
  }
  if (options.job !== undefined) {
    const refused = checkJobName(options.job);
    const dir = jobPaths(io.paths, options.job).configDir;
    if (refused !== null || !fs.existsSync(dir)) {
      io.err(`goplot replot: ${refused ?? `no job ${options.job}: ${dir} does not exist`}`);
      return 2;
    }
  }
  return null;
}

/** Each disk's plan (within --disk, and a job's dest_farms): its old plots in removal order and those left alone. */
async function planDisks(
  io: CliIo,
  config: ConfigReader,
  rule: ReplotSettings['rule'],
  options: ReplotOptions,
): Promise<DiskPlan[]> {
  const k = config.get('k');
  const compression = config.get('compression');
  const farmRoot = config.get('farm_root');
  const onlyFarms = config
    .get('dest_farms')
    .split(' ')
    .filter((farm) => farm !== '');
  const headers = HeaderCache.load(headerCacheDir(io.paths));
  const plans: DiskPlan[] = [];
  for (const farm of listFarms(farmRoot)) {
    if (options.job !== undefined && onlyFarms.length > 0 && !onlyFarms.includes(farm)) continue;
    for (const disk of listDisks(farmRoot, farm)) {
      if (options.disk !== undefined && `${farm}/${disk.disk}` !== options.disk) continue;
      const survey = surveyReplotCandidates(disk.plotsDir, rule, headers);
      const space = await readDiskSpace(disk.dir, config.get('disk_space'), {
        timeoutMs: config.get('disk_timeout') * 1000,
      }).catch(() => null);
      const plotBytes = committedKiB(k, compression) * 1024;
      const sequence = replotSequence(survey.usable, space ? space.freeBytes : 0, plotBytes);
      plans.push({
        farm,
        disk: disk.disk,
        freeBytes: space ? space.freeBytes : null,
        plots: sequence.order,
        skipped: [...neverGoes(sequence.never, plotBytes), ...survey.skipped],
      });
    }
  }
  headers.save();
  return plans;
}

/** Reads the settings (a job's own where its folder has them) and every disk: what the dry run shows. */
async function planReplot(io: CliIo, options: ReplotOptions): Promise<ReplotPlan> {
  const say = (level: string, message: string) => {
    if (level === 'warn') io.err(`goplot replot: ${message}`);
  };
  // a job's plots are judged by the job's own replot values where its folder has them
  const config =
    options.job === undefined
      ? new ConfigReader(io.paths, say, io.env)
      : new JobConfigReader(io.paths, options.job, say, io.env);
  const { on, rule } = readReplotSettings(config);
  const k = config.get('k');
  const compression = config.get('compression');
  const kind = config.get('pool_contract') === '' ? ('solo' as const) : ('pool' as const);
  const newPlotText = `${config.get('plotter')} k${k} C${compression} ${kind}, ${formatBytes(committedKiB(k, compression) * 1024)} with its margin`;
  const disks = await planDisks(io, config, rule, options);
  const matchesNew =
    rule.any &&
    ruleMatches(
      rule,
      { pos: 1, format: 'bladebit', plotId: '', k, compression, kind, memoBytes: 0, headerBytes: 0 },
      Date.now(),
    );
  return { on, rule, newPlot: { k, compression, kind }, newPlotText, matchesNew, disks };
}

function totals(plan: ReplotPlan): { total: number; bytes: number } {
  const total = plan.disks.reduce((sum, disk) => sum + disk.plots.length, 0);
  const bytes = plan.disks.reduce((sum, disk) => sum + disk.plots.reduce((s, plot) => s + plot.sizeBytes, 0), 0);
  return { total, bytes };
}

/** --json: the plan as one object (a job's name first when --job chose it). */
function formatJson(plan: ReplotPlan, job: string | undefined): string {
  const { total, bytes } = totals(plan);
  return JSON.stringify(
    {
      ...(job === undefined ? {} : { job }),
      replot: plan.on ? 'on' : 'off',
      rule: plan.rule.text,
      newPlot: plan.newPlot,
      matchesNewPlots: plan.matchesNew,
      total,
      bytes,
      disks: plan.disks,
    },
    null,
    2,
  );
}

/** The plan for a reader: the settings line, then each disk and its plots in the order they would go. */
function formatText(plan: ReplotPlan, job: string | undefined): string {
  const { on, rule } = plan;
  const turnOn = job === undefined ? 'echo on > config/replot.goplot' : `goplot set --job ${job} replot on`;
  const out = [
    `${job === undefined ? '' : `job ${job}: `}replot: ${on ? 'on' : `off (nothing is removed until: ${turnOn})`}; replot_match: ${rule.text}; new plots: ${plan.newPlotText}`,
  ];
  if (plan.matchesNew)
    out.push(`warning: replot_match also matches the plots being made; the tractors remove nothing while it does`);
  for (const disk of plan.disks) {
    const free = disk.freeBytes === null ? 'free space unreadable' : `${formatBytes(disk.freeBytes)} free`;
    if (disk.plots.length === 0) out.push(`${disk.farm}/${disk.disk}: no plot would go (${free})`);
    else
      out.push(
        `${disk.farm}/${disk.disk}: ${disk.plots.length} old plot${disk.plots.length === 1 ? '' : 's'} would go, in this order, each when the disk no longer holds the next new plot (${free}):`,
      );
    disk.plots.forEach((plot, at) => {
      out.push(
        `  ${at + 1}. ${path.basename(plot.path)}  ${describeHeader(plot.header)}  ${formatBytes(plot.sizeBytes)}  made ${localTime(plot.mtimeMs)}`,
      );
    });
    for (const skip of disk.skipped) out.push(`  left alone: ${path.basename(skip.path)}: ${skip.why}`);
  }
  const { total, bytes } = totals(plan);
  out.push(`in all: ${total} plot${total === 1 ? '' : 's'} (${formatBytes(bytes)}) left to replace`);
  return out.join('\n');
}

/** `goplot replot --dry-run [--json]`: per disk, the old plots replot would remove and in which order. */
export async function replotCommand(io: CliIo, options: ReplotOptions): Promise<number> {
  const refused = refuseOptions(io, options);
  if (refused !== null) return refused;
  const plan = await planReplot(io, options);
  io.out(options.json ? formatJson(plan, options.job) : formatText(plan, options.job));
  return 0;
}
