import fs from 'node:fs';
import { chooseTempDir, type TempChoice } from './choose-temp-dir.js';
import type { ConfigReader } from '../config/config-reader.js';
import { findWriteProblem, readDiskSpace } from '../farm/disk-space.js';
import { splitUsableNames } from '../farm/farm-names.js';
import { listTempDirs } from '../farm/farm-layout.js';
import { mountinfoPathFrom, readMountPoints, type MountPoints } from '../farm/mount-points.js';
import { findRootFilesystemProblem } from '../farm/root-filesystem.js';
import { tempBytesNeeded } from './temp-space.js';
import { errorMessage } from '../util/error-message.js';

export interface ConfiguredTempOptions {
  /** Mount points for require_mount=yes; read from GOPLOT_MOUNTINFO or the kernel's when absent. */
  mounts?: MountPoints;
  env?: NodeJS.ProcessEnv;
  /** st_dev of a dir (tests); fs.statSync's by default. */
  deviceOf?: (dir: string) => number;
}

/**
 * With require_mount=yes a temp dir on the root filesystem is refused: an unmounted temp SSD
 * leaves an empty dir there, and a plot would fill `/`. Dirs below one mounted NVMe
 * (/plot_temp mounted, /plot_temp/1, /plot_temp/2) are on that NVMe; a temp dir that is a link
 * into `/`, or a bind mount of a folder of `/`, is not (findRootFilesystemProblem).
 */
function rootFilesystemCheck(
  options: ConfiguredTempOptions,
  timeoutMs: number,
): (dir: string) => Promise<string | null> {
  let mounts = options.mounts;
  return async (dir) => {
    mounts ??= readMountPoints(mountinfoPathFrom(options.env ?? process.env));
    return findRootFilesystemProblem(dir, mounts, timeoutMs);
  };
}

/** chooseTempDir with everything it needs read from the value files: the tractor and the loop ask alike. */
export function chooseConfiguredTempDir(
  config: ConfigReader,
  runningTempDirs: (string | null)[],
  options: ConfiguredTempOptions = {},
): Promise<TempChoice> {
  const tempRoot = config.get('temp_root');
  const spaceMethod = config.get('disk_space');
  const timeoutMs = config.get('disk_timeout') * 1000;
  try {
    fs.readdirSync(tempRoot);
  } catch (error) {
    // "make <temp_root>/1" would be wrong advice when the folder is there but cannot be read
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return Promise.resolve({
        ok: false,
        message: `no temp dir can take a plot: cannot read temp_root ${tempRoot} (${errorMessage(error)})`,
        skipped: [],
      });
    }
  }
  const { usable, refused } = splitUsableNames(
    fs.existsSync(tempRoot) ? listTempDirs(tempRoot) : [],
    'temp dir',
    tempRoot,
  );
  return chooseTempDir({
    tempRoot,
    names: usable,
    refused,
    writeProblem: (dir) => findWriteProblem(dir, options.mounts ?? new Set(), { timeoutMs }),
    lastTemp: config.get('farm_temp'),
    runningTempDirs,
    maxPerTemp: config.get('max_per_temp'),
    neededBytes: tempBytesNeeded(config.get('plotter'), config.get('k')),
    readSpace: (dir) => readDiskSpace(dir, spaceMethod, { timeoutMs }),
    rootFilesystemProblem: config.get('require_mount') === 'yes' ? rootFilesystemCheck(options, timeoutMs) : undefined,
    deviceOf: options.deviceOf,
  });
}
