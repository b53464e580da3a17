#!/usr/bin/env node
// The `goplot` command: status, view, config, set, init, analyze, plots, replot, migrate, stop, start, install-service.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from '../lib/util/commander.js';
import { homeProblem, homeSource, PACKAGE_ROOT, resolveHome } from '../lib/config/home.js';
import type { CliIo } from '../lib/cli/run-command.js';
import { runMain } from '../lib/util/run-main.js';

/** A command's world; a home that is none (a typo in --home or GOPLOT_HOME) is refused, except by init, which makes one. */
function io(home: string | undefined, mustExist = true): CliIo {
  const paths = resolveHome({ home });
  const problem = homeProblem(paths, homeSource({ home }), { mayBeNew: !mustExist });
  if (problem) {
    console.error(`goplot: ${problem}`);
    process.exit(2);
  }
  return {
    paths,
    env: process.env,
    now: Date.now,
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  };
}

/** What every command's action needs: its world (from --home) and the way it sets the exit code. */
interface Cli {
  io: (mustExist?: boolean) => CliIo;
  home: () => string | undefined;
  run: (code: number | Promise<number>) => Promise<void>;
}

// Each action imports its own module when it runs: `goplot set` from cron loads neither the view,
// nor analyze, nor the plot header readers (bench/startup.bench.ts).
const commands = () => import('../lib/cli/run-command.js');
const jobCommands = () => import('../lib/cli/job-command.js');
const controlCommands = () => import('../lib/cli/control-command.js');

/** The farm now: status, view, config. */
function addFarmCommands(program: Command, cli: Cli): void {
  program
    .command('status')
    .description('running plots, main values and disks, once')
    .option('--json', 'machine-readable')
    .action(async (o: { json?: boolean }) => cli.run((await commands()).statusCommand(cli.io(), Boolean(o.json))));
  program
    .command('view')
    .description('live full-screen view (q or Ctrl-C to leave)')
    .option('--interval <seconds>', 'refresh period', '2')
    .option('--once', 'print one frame and exit')
    .action(async (o: { interval: string; once?: boolean }) => {
      const { viewCommand } = await import('../lib/view/view-command.js');
      const io = cli.io();
      const options = { intervalSeconds: Number(o.interval), once: Boolean(o.once), meanSeconds: meanPlotSeconds(io) };
      await cli.run(viewCommand(io, options));
    });
  program
    .command('config')
    .description('every value with its source (file or default) and any error')
    .option('--json', 'machine-readable')
    .option('--markdown', 'the table of every value file, as in docs/values.md')
    .action(async (o: { json?: boolean; markdown?: boolean }) =>
      cli.run((await commands()).configCommand(cli.io(), Boolean(o.json), Boolean(o.markdown))),
    );
}

/** The view's ETA: goplot analyze's mean per job, plotter and k, read only when the view asks. */
function meanPlotSeconds(io: CliIo): () => Promise<Map<string, number>> {
  return async () => {
    const { analyzePlotLogs } = await import('../lib/analyze/analyze-plot-logs.js');
    const { ConfigReader } = await import('../lib/config/config-reader.js');
    const farmRoot = new ConfigReader(io.paths, () => {}, io.env).get('farm_root');
    const { byJobPlotter } = analyzePlotLogs({ farmRoot, now: io.now });
    return new Map(
      byJobPlotter.filter((group) => group.total.mean !== null).map((group) => [group.key, group.total.mean!]),
    );
  };
}

/** The commands that write value files: set, job list/add/show, init. */
function addValueCommands(program: Command, cli: Cli): void {
  program
    .command('set')
    .description('validate a value and write it atomically')
    .argument('<name>')
    .argument('<value>')
    .option('--job <job>', "write it into the job's folder, config/jobs/<job>/")
    .action(async (name: string, value: string, o: { job?: string }) => {
      if (o.job === undefined) return cli.run((await commands()).setCommand(cli.io(), name, value));
      return cli.run((await jobCommands()).setJobCommand(cli.io(), o.job, name, value));
    });
  const job = program
    .command('job')
    .description('jobs: config/jobs/<name>/ folders of value files, plotted side by side');
  job
    .command('list')
    .description('every job, its plotter, temp root, farms and running plots')
    .option('--json', 'machine-readable')
    .action(async (o: { json?: boolean }) => cli.run((await jobCommands()).jobListCommand(cli.io(), Boolean(o.json))));
  job
    .command('add')
    .description('make config/jobs/<name>/ (letters, digits, - and _)')
    .argument('<name>')
    .action(async (name: string) => cli.run((await jobCommands()).jobAddCommand(cli.io(), name)));
  job
    .command('show')
    .description("the job's values and where each comes from (job, global or default)")
    .argument('<name>')
    .option('--json', 'machine-readable')
    .action(async (name: string, o: { json?: boolean }) =>
      cli.run((await jobCommands()).jobShowCommand(cli.io(), name, Boolean(o.json))),
    );
  program
    .command('init')
    .description('create the missing value files with their defaults (never overwrites)')
    .action(async () => cli.run((await commands()).initCommand(cli.io(false))));
}

/** The reports over plots made and to make: analyze, plots, migrate. */
function addReportCommands(program: Command, cli: Cli): void {
  program
    .command('analyze')
    .description('phase and total times of finished plots')
    .argument('[paths...]', 'extra log files or folders')
    .option('--since <date>', 'only plots started since this date (YYYY-MM-DD or ISO time)')
    .option('--json', 'machine-readable')
    .action(async (paths: string[], o: { since?: string; json?: boolean }) => {
      const { analyzeCommand } = await import('../lib/analyze/analyze-command.js');
      await cli.run(analyzeCommand(cli.io(), { paths, since: o.since, json: Boolean(o.json) }));
    });
  program
    .command('plots')
    .description('every plot by its header, per farm and disk: kinds, sizes, invalid files, what is left to replot')
    .option('--json', 'machine-readable')
    .option('--disk <farm/disk>', 'one disk only')
    .action(async (o: { json?: boolean; disk?: string }) => {
      const { plotsCommand } = await import('../lib/cli/plots-command.js');
      await cli.run(plotsCommand(cli.io(), { json: Boolean(o.json), disk: o.disk }));
    });
  program
    .command('migrate')
    .description(
      'the pos1 phase-out race: pos1 left, pos2 made, the replot rate, when the farm is all pos2, the rate needed',
    )
    .option('--json', 'machine-readable')
    .option('--now <time>', 'plan as of this time (ISO), for what-ifs; default the clock')
    .action(async (o: { json?: boolean; now?: string }) => {
      const { migrateCommand } = await import('../lib/migrate/migrate-command.js');
      await cli.run(migrateCommand(cli.io(), { json: Boolean(o.json), now: o.now }));
    });
}

/** The commands that act on plots: replot --dry-run, kill, suspend and resume. */
function addPlotCommands(program: Command, cli: Cli): void {
  program
    .command('replot')
    .description(
      'with --dry-run: per disk, the old plots replot would remove, in order (the tractors remove them, one per new plot)',
    )
    .option('--dry-run', 'list only (the only mode)')
    .option('--json', 'machine-readable')
    .option('--disk <farm/disk>', 'one disk only')
    .option('--job <job>', "the job's plots: its own replot values and dest_farms")
    .action(async (o: { dryRun?: boolean; json?: boolean; disk?: string; job?: string }) => {
      const { replotCommand } = await import('../lib/cli/replot-command.js');
      const options = { dryRun: Boolean(o.dryRun), json: Boolean(o.json), disk: o.disk, job: o.job };
      await cli.run(replotCommand(cli.io(), options));
    });
  program
    .command('kill')
    .description('end a running plot, remove its temporary files and release its disk (not a failure)')
    .argument('<index>')
    .option('--yes', 'do not ask (for scripts)')
    .action(async (index: string, o: { yes?: boolean }) => {
      const { askOnTerminal, killCommand } = await controlCommands();
      const confirm = process.stdin.isTTY ? askOnTerminal : undefined;
      await cli.run(killCommand(cli.io(), index, { yes: Boolean(o.yes), confirm }));
    });
  for (const suspend of [true, false]) {
    program
      .command(suspend ? 'suspend' : 'resume')
      .argument('<index>')
      .description(
        suspend
          ? 'stop a running plot (SIGSTOP); it keeps its disk and temp reservation'
          : 'let a suspended plot go on (SIGCONT)',
      )
      .action(async (index: string) => cli.run((await controlCommands()).pauseCommand(cli.io(), index, suspend)));
  }
}

/** Starting and stopping the loop: start and stop (on_toggle), and install-service (the systemd unit, as root). */
function addServiceCommands(program: Command, cli: Cli): void {
  program
    .command('start')
    .description('echo run > config/on_toggle.goplot')
    .action(async () => cli.run((await commands()).toggleCommand(cli.io(), true)));
  program
    .command('stop')
    .description('echo off > config/on_toggle.goplot (running plots finish)')
    .action(async () => cli.run((await commands()).toggleCommand(cli.io(), false)));
  program
    .command('install-service')
    .description('write the systemd unit and the logrotate file for a home, then enable the unit (as root)')
    .option('--user <name>', 'the user the suite runs as; default the one who ran sudo, else you')
    .option('--dry-run', 'print the files and the commands; change nothing')
    .option('--unit-dir <dir>', 'where the unit goes', '/etc/systemd/system')
    .option('--logrotate-dir <dir>', 'where the logrotate file goes', '/etc/logrotate.d')
    .option('--no-enable', 'only write the files (no systemctl)')
    .action(async (o: { user?: string; dryRun?: boolean; unitDir: string; logrotateDir: string; enable: boolean }) => {
      const { installServiceCommand } = await import('../lib/start/install-service-command.js');
      const out = (text: string) => console.log(text);
      const err = (text: string) => console.error(text);
      await cli.run(installServiceCommand({ home: cli.home(), env: process.env, ...o, out, err }));
    });
}

async function main(): Promise<void> {
  const { version } = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const program = new Command('goplot')
    .description('goplot-ts: Chia plotting manager driven by one-value files in config/')
    .version(`goplot-ts ${version}`, '-V, --version', 'print the version')
    .option('--home <dir>', 'goplot home (config/, disks/, logs/); default $GOPLOT_HOME or the package folder');
  const home = () => program.opts<{ home?: string }>().home;
  const cli: Cli = {
    home,
    io: (mustExist = true) => io(home(), mustExist),
    run: (code) =>
      Promise.resolve(code).then((c) => {
        process.exitCode = c;
      }),
  };
  // in the order of --help's list
  addFarmCommands(program, cli);
  addValueCommands(program, cli);
  addReportCommands(program, cli);
  addPlotCommands(program, cli);
  addServiceCommands(program, cli);
  await program.parseAsync();
}

void runMain('goplot', main);
