import fs from 'node:fs';
import path from 'node:path';

export type PidFileResult = { ok: true; release: () => void } | { ok: false; pid: number; message: string };

function isAlive(pid: number, procDir: string, marker: string): boolean {
  try {
    const argv = fs.readFileSync(path.join(procDir, String(pid), 'cmdline'), 'utf8').split('\0');
    return argv.some((arg) => path.basename(arg) === marker);
  } catch {
    return false;
  }
}

/**
 * One loop per home. The pid file is created whole through link(2), which fails when it
 * exists; a file left by a dead loop (kill -9, power cut) is taken over.
 */
export function acquirePidFile(file: string, options: { marker: string; procDir?: string; pid?: number }): PidFileResult {
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
      if (Number.isInteger(holder) && holder !== pid && isAlive(holder, procDir, options.marker)) {
        return { ok: false, pid: holder, message: `another goplot loop is running for this home (pid ${holder}); stop it first with: kill ${holder}` };
      }
      fs.rmSync(file, { force: true });
    }
    throw new Error(`could not create ${file}`);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** The live process that holds this pid file, or null when none does (no file, a dead or reused pid). */
export function pidFileHolder(file: string, options: { marker: string; procDir?: string }): number | null {
  let holder: number;
  try {
    holder = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
  } catch {
    return null;
  }
  return Number.isInteger(holder) && holder > 0 && isAlive(holder, options.procDir ?? '/proc', options.marker) ? holder : null;
}
