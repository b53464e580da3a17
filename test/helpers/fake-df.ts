import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import type { TempHome } from './temp-home.js';

export const FAKE_BIN = path.join(PACKAGE_ROOT, 'test', 'fake-bin');

/**
 * For one test file: test/fake-bin first on this process's PATH (check-disk-space runs `df` with
 * this process's environment), and FAKE_DF_TABLE as the file returns; both restored after the file.
 */
export function useFakeDf(): { setTable: (file: string) => void } {
  const saved = { PATH: process.env.PATH, FAKE_DF_TABLE: process.env.FAKE_DF_TABLE };
  before(() => {
    process.env.PATH = `${FAKE_BIN}:${saved.PATH}`;
  });
  after(() => {
    process.env.PATH = saved.PATH;
    if (saved.FAKE_DF_TABLE === undefined) delete process.env.FAKE_DF_TABLE;
    else process.env.FAKE_DF_TABLE = saved.FAKE_DF_TABLE;
  });
  return {
    setTable: (file) => {
      process.env.FAKE_DF_TABLE = file;
    },
  };
}

/** The environment that makes a child's `df` the fake one, reading its rows from `table`. */
export function fakeDfEnv(table: string): Record<string, string> {
  return { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DF_TABLE: table };
}

/**
 * The home plots bladebit diskplot at k32 (its only size) and measures room with df, whose table
 * gives the farm root and the temp root 2 TB free each; returns the env for that df.
 */
export function bladebitDiskWithDf(home: TempHome): Record<string, string> {
  home.set('plotter', 'bladebit-disk');
  home.set('k', 32);
  home.set('disk_space', 'df');
  const table = path.join(home.root, 'df-table');
  fs.writeFileSync(table, `${home.farmRoot} 2000000000 0\n${home.tempRoot} 2000000000 0\n`);
  return fakeDfEnv(table);
}
