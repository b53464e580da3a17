import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { stateLockPath, withStateLock } from '../../../lib/farm/state-lock.js';
import type { PlotEvents } from '../../../lib/notify/plot-events.js';
import { createReplotGuard } from '../../../lib/tractor/replot-guard.js';
import { createLogger } from '../../../lib/util/logger.js';
import { chiaposLog, fakePlotId } from '../../fixtures/plot-logs/synthetic-logs.js';
import { makeDisks, makeTempHome, waitFor } from '../../helpers/temp-home.js';

const home = makeTempHome('goplot-guard-');
after(() => home.cleanup());

test('stop() waits for a room step under way to let the state lock go, so the tractor never exits holding it', async () => {
  makeDisks(home, { farm1: ['disk1'] });
  home.set('farm_root', home.farmRoot);
  const diskDir = path.join(home.farmRoot, 'farm1', 'disk1');
  const logFile = path.join(diskDir, 'logs', 'plot.1.log');
  const guard = createReplotGuard({
    paths: home,
    config: new ConfigReader(home),
    log: createLogger(home, 'tractor'),
    plotter: 'chia',
    logFile,
    plot: {
      index: 1,
      farm: 'farm1',
      disk: 'disk1',
      diskDir,
      plotsDir: path.join(diskDir, 'plots'),
      plotter: 'chia',
      k: 32,
      compression: 0,
      kind: 'solo',
    },
  });
  // another process holds the lock when the plot reaches its last phase and ends
  let release!: () => void;
  let held = false;
  const holder = withStateLock(home, async () => {
    held = true;
    await new Promise<void>((resolve) => (release = resolve));
  });
  await waitFor('the lock held', () => held);
  try {
    guard.spawned(process.pid);
    guard.started({ notifyEvent: async () => ({ sent: [], failed: [] }) } as unknown as PlotEvents);
    const lines = chiaposLog({
      plotId: fakePlotId(7),
      start: new Date(2026, 0, 1),
      phaseSeconds: [100, 50, 90, 10],
      tempDir: '/plot_temp/1',
      destDir: path.join(diskDir, 'plots'),
    });
    fs.writeFileSync(logFile, `${lines.join('\n')}\n`);
    // the guard asks for the lock once the log shows phase 4; it cannot have it before the holder lets go
    await new Promise((resolve) => setTimeout(resolve, 2000));
    let stopped = false;
    const stopping = guard.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(stopped, false, 'stop() is still waiting for the room step');
    release();
    await stopping;
  } finally {
    release();
    await holder;
  }
  assert.equal(fs.existsSync(stateLockPath(home)), false, 'no lock left behind');
});
