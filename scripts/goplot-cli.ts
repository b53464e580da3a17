#!/usr/bin/env node
// The `goplot` command: status, view, config, set, init, analyze, plots, replot, migrate, stop, start, install-service.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { homeProblem, homeSource, PACKAGE_ROOT, resolveHome } from '../lib/config/home.js';
import {
  configCommand,
  initCommand,
  setCommand,
  statusCommand,
  toggleCommand,
  type CliIo,
} from '../lib/cli/run-command.js';
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

async function main(): Promise<void> {
  const { version } = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const program = new Command('goplot')
    .description('goplot-ts: Chia plotting manager driven by one-value files in config/')
    .version(`goplot-ts ${version}`, '-V, --version', 'print the version')
    .option('--home <dir>', 'goplot home (config/, disks/, logs/); default $GOPLOT_HOME or the package folder');
  const home = () => program.opts<{ home?: string }>().home;
  const run = (code: number | Promise<number>) =>
    Promise.resolve(code).then((c) => {
      process.exitCode = c;
    });

  program
    .command('status')
    .description('running plots, main values and disks, once')
    .option('--json', 'machine-readable')
    .action((o: { json?: boolean }) => run(statusCommand(io(home()), Boolean(o.json))));
  program
    .command('view')
    .description('live full-screen view (q or Ctrl-C to leave)')
    .option('--interval <seconds>', 'refresh period', '2')
    .option('--once', 'print one frame and exit')
    .action(async (o: { interval: string; once?: boolean }) => {
      // the view and analyze load only for their own command: `goplot set` stays a quick process
      const { viewCommand } = await import('../lib/view/view-command.js');
      const cli = io(home());
      // the ETA is goplot analyze's mean per job, plotter and k
      const meanSeconds = async () => {
        const { analyzePlotLogs } = await import('../lib/analyze/analyze-plot-logs.js');
        const { ConfigReader } = await import('../lib/config/config-reader.js');
        const farmRoot = new ConfigReader(cli.paths, () => {}, cli.env).get('farm_root');
        const { byJobPlotter } = analyzePlotLogs({ farmRoot, now: cli.now });
        return new Map(
          byJobPlotter.filter((group) => group.total.mean !== null).map((group) => [group.key, group.total.mean!]),
        );
      };
      await run(viewCommand(cli, { intervalSeconds: Number(o.interval), once: Boolean(o.once), meanSeconds }));
    });
  program
    .command('config')
    .description('every value with its source (file or default) and any error')
    .option('--json', 'machine-readable')
    .option('--markdown', 'the table of every value file, as in docs/values.md')
    .action((o: { json?: boolean; markdown?: boolean }) =>
      run(configCommand(io(home()), Boolean(o.json), Boolean(o.markdown))),
    );
  program
    .command('set')
    .description('validate a value and write it atomically')
    .argument('<name>')
    .argument('<value>')
    .option('--job <job>', "write it into the job's folder, config/jobs/<job>/")
    .action(async (name: string, value: string, o: { job?: string }) => {
      if (o.job === undefined) return run(setCommand(io(home()), name, value));
      const { setJobCommand } = await import('../lib/cli/job-command.js');
      return run(setJobCommand(io(home()), o.job, name, value));
    });
  const job = program
    .command('job')
    .description('jobs: config/jobs/<name>/ folders of value files, plotted side by side');
  job
    .command('list')
    .description('every job, its plotter, temp root, farms and running plots')
    .option('--json', 'machine-readable')
    .action(async (o: { json?: boolean }) =>
      run((await import('../lib/cli/job-command.js')).jobListCommand(io(home()), Boolean(o.json))),
    );
  job
    .command('add')
    .description('make config/jobs/<name>/ (letters, digits, - and _)')
    .argument('<name>')
    .action(async (name: string) => run((await import('../lib/cli/job-command.js')).jobAddCommand(io(home()), name)));
  job
    .command('show')
    .description("the job's values and where each comes from (job, global or default)")
    .argument('<name>')
    .option('--json', 'machine-readable')
    .action(async (name: string, o: { json?: boolean }) =>
      run((await import('../lib/cli/job-command.js')).jobShowCommand(io(home()), name, Boolean(o.json))),
    );
  program
    .command('init')
    .description('create the missing value files with their defaults (never overwrites)')
    .action(() => run(initCommand(io(home(), false))));
  program
    .command('analyze')
    .description('phase and total times of finished plots')
    .argument('[paths...]', 'extra log files or folders')
    .option('--since <date>', 'only plots started since this date (YYYY-MM-DD or ISO time)')
    .option('--json', 'machine-readable')
    .action(async (paths: string[], o: { since?: string; json?: boolean }) => {
      const { analyzeCommand } = await import('../lib/analyze/analyze-command.js');
      await run(analyzeCommand(io(home()), { paths, since: o.since, json: Boolean(o.json) }));
    });
  program
    .command('plots')
    .description('every plot by its header, per farm and disk: kinds, sizes, invalid files, what is left to replot')
    .option('--json', 'machine-readable')
    .option('--disk <farm/disk>', 'one disk only')
    .action(async (o: { json?: boolean; disk?: string }) => {
      const { plotsCommand } = await import('../lib/cli/plots-command.js');
      await run(plotsCommand(io(home()), { json: Boolean(o.json), disk: o.disk }));
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
      await run(migrateCommand(io(home()), { json: Boolean(o.json), now: o.now }));
    });
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
      await run(
        replotCommand(io(home()), { dryRun: Boolean(o.dryRun), json: Boolean(o.json), disk: o.disk, job: o.job }),
      );
    });
  program
    .command('kill')
    .description('end a running plot, remove its temporary files and release its disk (not a failure)')
    .argument('<index>')
    .option('--yes', 'do not ask (for scripts)')
    .action(async (index: string, o: { yes?: boolean }) => {
      const { askOnTerminal, killCommand } = await import('../lib/cli/control-command.js');
      await run(
        killCommand(io(home()), index, {
          yes: Boolean(o.yes),
          confirm: process.stdin.isTTY ? askOnTerminal : undefined,
        }),
      );
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
      .action(async (index: string) =>
        run((await import('../lib/cli/control-command.js')).pauseCommand(io(home()), index, suspend)),
      );
  }
  program
    .command('start')
    .description('echo run > config/on_toggle.goplot')
    .action(() => run(toggleCommand(io(home()), true)));
  program
    .command('stop')
    .description('echo off > config/on_toggle.goplot (running plots finish)')
    .action(() => run(toggleCommand(io(home()), false)));
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
      await run(
        installServiceCommand({
          home: home(),
          env: process.env,
          ...o,
          out: (text) => console.log(text),
          err: (text) => console.error(text),
        }),
      );
    });
  await program.parseAsync();
}

void runMain('goplot', main);
