import { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import { mountinfoPathFrom } from '../farm/mount-points.js';
import { acquirePidFile } from '../farm/pid-file.js';
import { createPlotEvents } from '../notify/plot-events.js';
import { configLogSink, createLogger } from '../util/logger.js';
import { pidFilePath } from './archive-state.js';
import { ownStartTicks } from './reservations.js';
import { Archiver } from './run-archiver.js';

export type ArchiverExit = { ok: true } | { ok: false; code: number; message: string };

/**
 * `node scripts/archiver.js`: one archiver per home (a pid file, taken over from a dead one),
 * logging to logs/archiver.log, a single pass with `once`, else passes until `stop` aborts. A
 * stopped archiver ends its rsyncs; their partial copies are resumed by the next run.
 */
export async function runArchiverMain(
  paths: HomePaths,
  options: { once: boolean; stop: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<ArchiverExit> {
  const env = options.env ?? process.env;
  const logger = createLogger(paths, 'archiver', 'archiver.log');
  const pidFile = acquirePidFile(pidFilePath(paths), { marker: 'archiver.js', what: 'archiver' });
  if (!pidFile.ok) {
    logger.error(pidFile.message);
    return { ok: false, code: 3, message: pidFile.message };
  }
  try {
    const config = new ConfigReader(paths, configLogSink(logger), env);
    const events = createPlotEvents({ paths, config, log: logger, env });
    const archiver = new Archiver({
      paths,
      config,
      log: (level, message) => logger[level](message),
      notify: (news) => events.notifyEvent(news.kind, `archive target ${news.target}`, news.text),
      mountinfoPath: mountinfoPathFrom(env),
      pidStart: ownStartTicks(),
    });
    logger.info(
      options.once ? 'archiver: one pass' : `archiver started (a pass every ${config.get('archive_interval')} s)`,
    );
    if (options.once) await archiver.runOnce(options.stop);
    else await archiver.runForever(options.stop);
    archiver.closeConnections();
    logger.info('archiver stopped');
    return { ok: true };
  } finally {
    pidFile.release();
  }
}
