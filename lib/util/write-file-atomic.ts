import fs from 'node:fs';
import path from 'node:path';

let counter = 0;

/**
 * Writes through a temp file in the same directory and a rename, so a reader (or a crash)
 * sees the old content or the new one, never half a file.
 */
export function writeFileAtomicSync(
  file: string,
  content: string | Buffer,
  options: {
    mode?: number;
    /** false for a cache the reader checks and rebuilds: no wait for the disk */ sync?: boolean;
  } = {},
): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  try {
    const fd = fs.openSync(temp, 'w', options.mode ?? 0o644);
    try {
      fs.writeFileSync(fd, content);
      if (options.sync ?? true) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Creates `file` whole (written and synced under a temp name, then link(2), which fails when the
 * file exists): never overwrites, and a power cut never leaves it empty. False when it existed.
 */
export function createFileExclusiveSync(file: string, content: string): boolean {
  // the common case (it exists) costs one stat, not a synced temp file: every tractor calls this
  if (fs.existsSync(file)) return false;
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  const fd = fs.openSync(temp, 'w', 0o644);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
