import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { execa } from 'execa';

/** Real mounts need root; CI runs as root. */
export const IS_ROOT = process.getuid?.() === 0;

export const NOT_ROOT = 'skipped: mounting a tmpfs or a bind mount needs root (CI runs as root)';

/**
 * Mounts made by one test, unmounted (lazily, so a busy one cannot wedge the test) by cleanup().
 * Every mount goes through mount(8) as a user would.
 */
export function smallFilesystems(): {
  tmpfs: (dir: string, sizeMiB: number) => Promise<void>;
  bind: (from: string, to: string) => Promise<void>;
  hungFuse: (dir: string) => void;
  cleanup: () => Promise<void>;
} {
  const mounted: string[] = [];
  const fuseFds: number[] = [];
  return {
    /**
     * A dead disk: a FUSE mount whose server never answers, so every stat, statfs or access on it
     * blocks until the connection closes (cleanup closes it first, which fails the waiting calls).
     */
    hungFuse(dir) {
      fs.mkdirSync(dir, { recursive: true });
      const fd = fs.openSync('/dev/fuse', 'r+');
      fuseFds.push(fd);
      const result = spawnSync(
        'mount',
        ['-t', 'fuse', '-o', 'fd=3,rootmode=40000,user_id=0,group_id=0', 'goplot-hung', dir],
        { stdio: ['ignore', 'ignore', 'pipe', fd], timeout: 10_000 },
      );
      if (result.status !== 0) throw new Error(`mount -t fuse failed: ${String(result.stderr)}`);
      mounted.push(dir);
    },
    async tmpfs(dir, sizeMiB) {
      fs.mkdirSync(dir, { recursive: true });
      await execa('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'goplot-test', dir], { timeout: 10_000 });
      mounted.push(dir);
    },
    async bind(from, to) {
      fs.mkdirSync(to, { recursive: true });
      await execa('mount', ['--bind', from, to], { timeout: 10_000 });
      mounted.push(to);
    },
    async cleanup() {
      for (const fd of fuseFds.splice(0)) fs.closeSync(fd);
      for (const dir of mounted.reverse()) await execa('umount', ['-l', dir], { reject: false, timeout: 10_000 });
      mounted.length = 0;
    },
  };
}
