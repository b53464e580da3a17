#!/usr/bin/env node
// diskhand: measures every disk under farm_root and writes disks/<farm>/<disk>.goplot
// (KiB used + committed, full, unmounted; off is kept). Logs to logs/diskhand.log.
// crontab: * * * * * cd /path/to/goplot-ts && node scripts/diskhand.js
// GOPLOT_MOUNTINFO=<file> reads mount points from that file instead of /proc/self/mountinfo
// (tests use it to declare temp dirs as mount points).
import { ConfigReader } from '../lib/config/config-reader.js';
import { runDiskhand } from '../lib/diskhand/diskhand.js';
import { resolveHome } from '../lib/config/home.js';
import { configLogSink, createLogger } from '../lib/util/logger.js';
import { mountinfoPathFrom } from '../lib/farm/mount-points.js';
import { notifyDiskChanges } from '../lib/diskhand/notify-disk-changes.js';
import { endProcess } from '../lib/farm/end-process.js';
import { cronOptions } from '../lib/util/cron-options.js';
import { runMain } from '../lib/util/run-main.js';

interface Options {
  home?: string;
  print: boolean;
  json: boolean;
}
const DEFAULTS: Options = { print: false, json: false };
import { errorMessage } from '../lib/util/error-message.js';

async function main(): Promise<void> {
  const options = await cronOptions(DEFAULTS, async () => {
    const { Command } = await import('../lib/util/commander.js');
    return new Command('diskhand')
      .description('measure every disk under farm_root once and write its state file (run it from cron every minute)')
      .option('--home <dir>', 'goplot home (config/, disks/, logs/); default $GOPLOT_HOME or the package folder')
      .option('--print', 'also print the log lines to stdout', DEFAULTS.print)
      .option('--json', 'print the report as JSON', DEFAULTS.json)
      .parse()
      .opts<Options>();
  });
  const paths = resolveHome({ home: options.home });
  const logger = createLogger(paths, 'diskhand', 'diskhand.log');
  const report = await runDiskhand({
    paths,
    config: new ConfigReader(paths, configLogSink(logger)),
    log: (level, message) => {
      logger[level](message);
      if (options.print) console.log(message);
    },
    mountinfoPath: mountinfoPathFrom(process.env),
  }).catch((error: unknown) => {
    logger.error(errorMessage(error));
    throw error;
  });
  if (options.json) console.log(JSON.stringify(report, null, 2));
  await notifyDiskChanges(report, { paths, log: logger });
}

// a hung disk's statfs or df never returns and would keep the process alive for ever (and cron
// would pile them up); everything is written by then (the log and stdout write synchronously).
// endProcess, not exitWhenDone: a normal exit would wait for a thread stuck on a dead disk.
void runMain('diskhand', main).then(() => endProcess('diskhand'));
