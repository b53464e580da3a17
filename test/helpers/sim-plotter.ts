import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { SIM_PLOTTER } from './temp-home.js';

/** A farmer key, pool key and pool contract in the forms the plotters check; the values mean nothing. */
export const FARMER = 'a'.repeat(96);
export const POOL = 'b'.repeat(96);
export const CONTRACT = `xch1${'q'.repeat(58)}`;

/**
 * A temp dir holding the simulated plotter under each plotter's own name (the name is what makes it
 * act as chia_plot, bladebit, …), made before this file's tests. After them, the runs still going
 * are killed and the dir removed. `root` is set once the tests run.
 */
export function simPlotterLinks(
  prefix: string,
  names: string[],
  children: Iterable<{ kill(signal: NodeJS.Signals): unknown }>,
): { root: string } {
  const links = { root: '' };
  before(() => {
    links.root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    // npm's prepare makes the built scripts executable; a bare tsc build may not have run it.
    fs.chmodSync(SIM_PLOTTER, 0o755);
    for (const name of names) fs.symlinkSync(SIM_PLOTTER, path.join(links.root, name));
  });
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    if (links.root) fs.rmSync(links.root, { recursive: true, force: true });
  });
  return links;
}
