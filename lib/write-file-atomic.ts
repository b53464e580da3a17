import fs from 'node:fs';
import path from 'node:path';

let counter = 0;

/**
 * Writes through a temp file in the same directory and a rename, so a reader (or a crash)
 * sees the old content or the new one, never half a file.
 */
export function writeFileAtomicSync(file: string, content: string | Buffer, options: { mode?: number } = {}): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  try {
    const fd = fs.openSync(temp, 'w', options.mode ?? 0o644);
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
