import type { HomePaths } from '../config/home.js';
import type { Role } from '../config/value-parsers.js';
import type { Logger } from '../util/logger.js';
import type { RunOutcome } from './isolated-run.js';
import type { ScheduleSetting } from './live-schedules.js';
import { errorMessage } from '../util/error-message.js';

export interface SuiteJob {
  /** For the log, and the script a crontab runs instead. */
  name: string;
  script: string;
  role: Role;
  setting: ScheduleSetting;
  timeoutMs: number;
  run: () => Promise<RunOutcome>;
}

/** As long as `node scripts/start.js` let one spawned part run before it killed it. */
const RUN_TIMEOUT_MS = 120_000;

/**
 * diskhand and the three collectors as runs inside the supervisor's process: the same library
 * calls their scripts make, without a fresh Node process (and its start-up) every minute. Each
 * module is loaded on its job's first run, so a host whose role leaves a job out never loads it.
 */
export function suiteJobs(paths: HomePaths, env: NodeJS.ProcessEnv, diskhandLog: () => Logger): SuiteJob[] {
  const collectorOutcome = (outcome: { ok: boolean; problem?: string }): RunOutcome =>
    outcome.ok ? { ok: true } : { ok: false, problem: outcome.problem ?? 'failed' };
  return [
    {
      name: 'diskhand',
      script: 'scripts/diskhand.js',
      role: 'plotter',
      setting: 'diskhand_schedule',
      timeoutMs: RUN_TIMEOUT_MS,
      async run() {
        const [{ runDiskhand }, { notifyDiskChanges }, { ConfigReader }, { mountinfoPathFrom }, { configLogSink }] =
          await Promise.all([
            import('../diskhand/diskhand.js'),
            import('../diskhand/notify-disk-changes.js'),
            import('../config/config-reader.js'),
            import('../farm/mount-points.js'),
            import('../util/logger.js'),
          ]);
        const logger = diskhandLog();
        const report = await runDiskhand({
          paths,
          config: new ConfigReader(paths, configLogSink(logger), env),
          log: (level, message) => logger[level](message),
          mountinfoPath: mountinfoPathFrom(env),
        }).catch((error: unknown) => {
          // diskhand.log has the reason on every run, as from cron; start.log says it once
          logger.error(errorMessage(error));
          throw error;
        });
        await notifyDiskChanges(report, { paths, log: logger });
        return { ok: true };
      },
    },
    {
      name: 'the goplot collector',
      script: 'collectors/goplot_collector.js',
      role: 'plotter',
      setting: 'collector_schedule',
      timeoutMs: RUN_TIMEOUT_MS,
      async run() {
        const { collectGoplot } = await import('../metrics/collect-goplot.js');
        return collectorOutcome(await collectGoplot({ paths, env }));
      },
    },
    {
      name: 'the getharvester collector',
      script: 'collectors/getharvester_collector.js',
      role: 'harvester',
      setting: 'collector_schedule',
      timeoutMs: RUN_TIMEOUT_MS,
      async run() {
        const { collectHarvester } = await import('../metrics/collect-harvester.js');
        return collectorOutcome(await collectHarvester({ paths, env }));
      },
    },
    {
      name: 'the getfarm collector',
      script: 'collectors/getfarm_collector.js',
      role: 'farmer',
      setting: 'collector_schedule',
      timeoutMs: RUN_TIMEOUT_MS,
      async run() {
        const { collectFarm } = await import('../metrics/collect-farm.js');
        return collectorOutcome(await collectFarm({ paths, env }));
      },
    },
  ];
}
