import fs from 'node:fs';
import { chooseTempDir, type TempChoice } from './choose-temp-dir.js';
import type { ConfigReader } from './config-reader.js';
import { readDiskSpace } from './disk-space.js';
import { listTempDirs } from './farm-layout.js';
import { tempBytesNeeded } from './temp-space.js';

/** chooseTempDir with everything it needs read from the value files: the tractor and the loop ask alike. */
export function chooseConfiguredTempDir(config: ConfigReader, runningTempDirs: (string | null)[]): Promise<TempChoice> {
  const tempRoot = config.get('temp_root');
  const spaceMethod = config.get('disk_space');
  return chooseTempDir({
    tempRoot,
    names: fs.existsSync(tempRoot) ? listTempDirs(tempRoot) : [],
    lastTemp: config.get('farm_temp'),
    runningTempDirs,
    maxPerTemp: config.get('max_per_temp'),
    neededBytes: tempBytesNeeded(config.get('plotter'), config.get('k')),
    readFreeBytes: async (dir) => (await readDiskSpace(dir, spaceMethod)).freeBytes,
  });
}
