import fs from 'node:fs';
import { chooseTempDir, type TempChoice } from './choose-temp-dir.js';
import type { ConfigReader } from '../config/config-reader.js';
import { readDiskSpace } from '../farm/disk-space.js';
import { listTempDirs } from '../farm/farm-layout.js';
import { findMountPoint, mountinfoPathFrom, readMountPoints } from '../farm/mount-points.js';
import { tempBytesNeeded } from './temp-space.js';

export interface ConfiguredTempOptions {
  /** Mount points for require_mount=yes; read from GOPLOT_MOUNTINFO or the kernel's when absent. */
  mounts?: Set<string>;
  env?: NodeJS.ProcessEnv;
  /** st_dev of a dir (tests); fs.statSync's by default. */
  deviceOf?: (dir: string) => number;
}

/**
 * With require_mount=yes a temp dir whose nearest mount point is `/` is on the root filesystem:
 * an unmounted temp SSD leaves an empty dir there, and a plot would fill `/`. Dirs below one
 * mounted NVMe (/plot_temp mounted, /plot_temp/1, /plot_temp/2) are on that NVMe. The mount
 * table, not st_dev, decides, so tests can declare mounts through GOPLOT_MOUNTINFO.
 */
function rootFilesystemCheck(options: ConfiguredTempOptions): (dir: string) => boolean {
  let mounts = options.mounts;
  return (dir) => {
    mounts ??= readMountPoints(mountinfoPathFrom(options.env ?? process.env));
    return findMountPoint(dir, mounts) === '/';
  };
}

/** chooseTempDir with everything it needs read from the value files: the tractor and the loop ask alike. */
export function chooseConfiguredTempDir(config: ConfigReader, runningTempDirs: (string | null)[], options: ConfiguredTempOptions = {}): Promise<TempChoice> {
  const tempRoot = config.get('temp_root');
  const spaceMethod = config.get('disk_space');
  const timeoutMs = config.get('disk_timeout') * 1000;
  return chooseTempDir({
    tempRoot,
    names: fs.existsSync(tempRoot) ? listTempDirs(tempRoot) : [],
    lastTemp: config.get('farm_temp'),
    runningTempDirs,
    maxPerTemp: config.get('max_per_temp'),
    neededBytes: tempBytesNeeded(config.get('plotter'), config.get('k')),
    readSpace: (dir) => readDiskSpace(dir, spaceMethod, { timeoutMs }),
    isOnRootFilesystem: config.get('require_mount') === 'yes' ? rootFilesystemCheck(options) : undefined,
    deviceOf: options.deviceOf,
  });
}
