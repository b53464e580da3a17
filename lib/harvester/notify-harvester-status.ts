import { ConfigReader } from '../config/config-reader.js';
import type { HomePaths } from '../config/home.js';
import type { Logger } from '../util/logger.js';
import type { HarvesterStatusInfo } from './run-harvesterlog.js';

/**
 * harvester_down when eligible lines stop, harvester_up when they come back after that; the
 * first "up" at start is no news. got and the notifiers load on the first event only.
 */
export function createHarvesterStatusNotifier(
  paths: HomePaths,
  logger: Logger,
): (up: boolean, info: HarvesterStatusInfo) => void {
  let downSent = false;
  return (up, info) => {
    if (up && !downSent) return;
    downSent = !up;
    const text = up
      ? `harvester is back: eligible lines arrive again in ${info.logFile}`
      : `harvester down: no eligible line in ${info.logFile} for over ${info.thresholdSeconds} s`;
    void import('../notify/plot-events.js')
      .then(({ createPlotEvents }) =>
        createPlotEvents({ paths, config: new ConfigReader(paths, () => {}), log: logger }).notifyEvent(
          up ? 'harvester_up' : 'harvester_down',
          'harvester',
          text,
        ),
      )
      .catch((error: unknown) => logger.warn(`harvester event not sent: ${String(error)}`));
  };
}
