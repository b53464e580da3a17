import path from 'node:path';
import { after, before } from 'node:test';
import { PACKAGE_ROOT } from '../../lib/config/home.js';

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
