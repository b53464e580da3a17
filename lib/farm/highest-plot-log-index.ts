import fs from 'node:fs';
import { listDisks, listFarms } from './farm-layout.js';

/** The highest N of any `<farm_root>/<farm>/<disk>/logs/plot.N.log` (or its set-aside copies); 0 for none. */
export function highestPlotLogIndex(farmRoot: string): number {
  let highest = 0;
  for (const farm of listFarms(farmRoot)) {
    for (const disk of listDisks(farmRoot, farm)) {
      let names: string[];
      try {
        names = fs.readdirSync(disk.logsDir);
      } catch {
        continue;
      }
      for (const name of names) {
        const index = /^plot\.(\d+)\.log/.exec(name)?.[1];
        if (index !== undefined) highest = Math.max(highest, Number(index));
      }
    }
  }
  return highest;
}
