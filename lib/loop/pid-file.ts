import fs from 'node:fs';
import path from 'node:path';
import { commandLineHas } from '../farm/proc-read.js';

export type PidFileResult = { ok: true; release: () => void } | { ok: false; pid: number; message: string };

/**
 * One loop per home. The pid file is created whole through link(2), which fails when it
 * exists; a file left by a dead loop (kill -9, power cut) is taken over.
 */
export function acquirePidFile(file: string, options: { marker: string; procDir?: string; pid?: number; holder?: string }): PidFileResult {
  const procDir = options.procDir ?? '/proc';
  const pid = options.pid ?? process.pid;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${pid}.tmp`;
  fs.writeFileSync(temp, `${pid}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(temp, file);
        return {
          ok: true,
          release: () => {
            try {
              if (fs.readFileSync(file, 'utf8').trim() === String(pid)) fs.unlinkSync(file);
            } catch {
              // already gone: nothing to release
            }
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(holder) && holder !== pid && commandLineHas(procDir, holder, options.marker)) {
        return { ok: false, pid: holder, message: `another ${options.holder ?? 'goplot loop'} is running for this home (pid ${holder}); stop it first with: kill ${holder}` };
      }
      fs.rmSync(file, { force: true });
    }
    throw new Error(`could not create ${file}`);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
