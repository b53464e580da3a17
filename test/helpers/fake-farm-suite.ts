import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { startFakeChiaFarm, type FakeChiaFarm } from './fake-chia-farm.js';
import type { TempHome } from './temp-home.js';

export interface FakeFarmSuite {
  /** A temp dir for the farm's chia root and whatever else the suite keeps beside it. */
  root: string;
  /** The running farm; set once the suite's tests run. */
  readonly farm: FakeChiaFarm;
  /** Homes the tests make, removed with the farm. */
  homes: TempHome[];
}

/**
 * For a describe block of collector tests against chia's RPC: the fake farm (full node, farmer,
 * harvester, wallet over mutual TLS) starts before its tests and is closed after them, with the
 * homes they made and the temp dir removed.
 */
export function fakeFarmSuite(prefix: string): FakeFarmSuite {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let farm: FakeChiaFarm | undefined;
  const suite: FakeFarmSuite = {
    root,
    get farm(): FakeChiaFarm {
      if (!farm) throw new Error('the fake chia farm is not started yet: use it inside a test');
      return farm;
    },
    homes: [],
  };
  before(async () => {
    farm = await startFakeChiaFarm(root);
  });
  after(async () => {
    await farm?.close();
    suite.homes.forEach((home) => home.cleanup());
    fs.rmSync(root, { recursive: true, force: true });
  });
  return suite;
}
