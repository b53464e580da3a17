import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { buildPlotHeader } from '../../lib/plot-file/build-plot-header.js';
import type { PlotKind } from '../../lib/plot-file/plot-header.js';
import { makeSshWorld, type SshServer, type SshWorld } from './sshd.js';
import type { TempHome } from './temp-home.js';

export interface MadePlot {
  name: string;
  file: string;
  bytes: Buffer;
}

/**
 * A small plot the header reader accepts: a v1 header (the simulated plotter's, solo unless told)
 * with a random id and k 25 (chia's "still being copied" size rule applies from k 30), then
 * random bytes, named as chiapos names its plots. Its mtime is set a minute back, as a plot
 * finished a while ago.
 */
export function makePlot(plotsDir: string, size: number, seconds = 0, kind: PlotKind = 'solo'): MadePlot {
  const id = crypto.randomBytes(32).toString('hex');
  const header = buildPlotHeader({ format: 'v1', plotId: id, k: 25, compression: 0, kind });
  const bytes = Buffer.concat([header, crypto.randomBytes(size - header.length)]);
  const name = `plot-k25-2026-11-30-08-${String(seconds % 60).padStart(2, '0')}-${id}.plot`;
  const file = path.join(plotsDir, name);
  fs.mkdirSync(plotsDir, { recursive: true });
  fs.writeFileSync(file, bytes);
  const past = (Date.now() - 60_000 + seconds * 1000) / 1000;
  fs.utimesSync(file, past, past);
  return { name, file, bytes };
}

/** Makes `<root>/<farm>/<disk>/{plots,logs}`; with sizeKiB (as root), a tmpfs of that size is mounted on the disk first. */
export function makeTargetDisk(root: string, farm: string, disk: string, sizeKiB?: number): string {
  const dir = path.join(root, farm, disk);
  fs.mkdirSync(dir, { recursive: true });
  if (sizeKiB !== undefined) {
    const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir]);
    if (result.status !== 0)
      throw new Error(
        `mount tmpfs on ${dir} failed (the archiver's disk tests mount small tmpfs disks and must run as root): ${String(result.stderr)}`,
      );
  }
  fs.mkdirSync(path.join(dir, 'plots'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  return path.join(dir, 'plots');
}

/** Unmounts every tmpfs under root (deepest first), so the temp dir can be removed. */
export function unmountUnder(root: string): void {
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && point.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) spawnSync('umount', ['-l', point]);
}

/** `*.plot` files in a plots dir (what a harvester would load). */
export function plotFiles(plotsDir: string): string[] {
  try {
    return fs
      .readdirSync(plotsDir)
      .filter((name) => name.endsWith('.plot'))
      .sort();
  } catch {
    return [];
  }
}

/** What the archiver's real-sshd suites share: one sshd on 127.0.0.1, a scratch folder for target roots, the homes to remove. */
export interface SshArchiveWorld {
  readonly ssh: SshWorld;
  readonly server: SshServer;
  /** Target roots go here (tmpfs disks mounted under it are unmounted after the suite). */
  readonly scratch: string;
  /** Removes the home after the suite, tmpfs disks under it unmounted first; returns it. */
  keep(home: TempHome): TempHome;
}

/**
 * The lifecycle of an archiver suite over real ssh, registered with the suite's before and after
 * (call it in the describe): the sshd starts before the tests; after them it stops, every tmpfs
 * under the scratch folder and under the kept homes is unmounted, and all of it is removed.
 */
export function useSshArchiveWorld(prefix: string): SshArchiveWorld {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const homes: TempHome[] = [];
  let ssh: SshWorld | undefined;
  let server: SshServer | undefined;
  before(async () => {
    ssh = makeSshWorld();
    server = await ssh.start();
  });
  after(async () => {
    await ssh?.cleanup();
    unmountUnder(scratch);
    fs.rmSync(scratch, { recursive: true, force: true });
    for (const home of homes) {
      unmountUnder(home.root);
      home.cleanup();
    }
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the sshd starts in the suite's before(): use it in the tests");
    return value;
  };
  return {
    get ssh() {
      return started(ssh);
    },
    get server() {
      return started(server);
    },
    scratch,
    keep(home) {
      homes.push(home);
      return home;
    },
  };
}
