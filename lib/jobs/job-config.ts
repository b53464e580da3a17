import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader, type InspectedValue, type LogSink } from '../config/config-reader.js';
import { valueFilePath, type HomePaths } from '../config/home.js';
import type { ValueName } from '../config/value-specs.js';
import { JOB_PLOT_VALUES, JOB_STATE_VALUES } from './job-values.js';

/** Paths whose configDir is the job's folder: the value file readers and writers work there unchanged. */
export function jobPaths(paths: HomePaths, job: string): HomePaths {
  return { ...paths, configDir: path.join(paths.configDir, 'jobs', job) };
}

/**
 * A job's view of the value files: its own file for a plot value when it has one, else the global
 * one; its round-robin state and last start only from its folder. Everything else (the global
 * limits, index, failures) is the global reader's. `paths` stays the home's, so disks/ and logs/
 * are shared.
 */
export class JobConfigReader extends ConfigReader {
  /** Reads the job's folder alone, with the same validation, last good values and log lines. */
  readonly own: ConfigReader;

  constructor(
    paths: HomePaths,
    readonly job: string,
    log: LogSink = () => {},
    env: NodeJS.ProcessEnv = process.env,
  ) {
    super(paths, log, env);
    this.own = new ConfigReader(jobPaths(paths, job), log, env);
  }

  hasOwn(name: ValueName): boolean {
    return fs.existsSync(valueFilePath(this.own.paths, name));
  }

  override inspect<N extends ValueName>(name: N): InspectedValue<N> {
    if (JOB_STATE_VALUES.has(name)) {
      // the first plot of a job has no state yet: that is not worth a log line
      if (!this.hasOwn(name)) return this.defaultOf(name);
      return this.own.inspect(name);
    }
    if (JOB_PLOT_VALUES.has(name) && this.hasOwn(name)) return this.own.inspect(name);
    return super.inspect(name);
  }

  private defaultOf<N extends ValueName>(name: N): InspectedValue<N> {
    const file = valueFilePath(this.own.paths, name);
    const fresh = new ConfigReader(this.own.paths, () => {}, {});
    return { ...fresh.inspect(name), file };
  }
}
