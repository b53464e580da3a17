import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { JobConfigReader } from '../../../lib/jobs/job-config.js';
import { readMemAvailableBytes } from '../../../lib/farm/mem-available.js';
import { checkMemory } from '../../../lib/plan/decide-with-world.js';
import type { StartWorld } from '../../../lib/plan/start-world.js';
import { makeTempHome } from '../../helpers/temp-home.js';

const GIB = 1024 ** 3;

function world(memAvailable: number | null): StartWorld {
  return {
    now: () => 0,
    loadavg: () => [0, 0, 0],
    readRunning: () => [],
    findTractors: () => [],
    checkRoom: () => Promise.resolve(null),
    memAvailableBytes: () => memAvailable,
  };
}

describe('the memory a plotter declares (plot_ram)', () => {
  const home = makeTempHome();
  after(() => home.cleanup());
  const config = () => new ConfigReader(home, () => {}, {});

  it('holds no plot back while it is 0, the default', () => {
    assert.equal(checkMemory(config(), world(1024)), null);
  });

  it('holds the plot back while it does not fit in MemAvailable, and says so', () => {
    home.set('plot_ram', 12.5);
    assert.deepEqual(checkMemory(config(), world(8 * GIB)), {
      start: false,
      key: 'plot_ram:12.5',
      reason:
        'plot_ram 12.5 GiB of the plotter does not fit in MemAvailable 8.0 GiB (/proc/meminfo); waiting for memory',
    });
  });

  it('lets it start once it fits, and when MemAvailable is unknown', () => {
    home.set('plot_ram', 12.5);
    assert.equal(checkMemory(config(), world(12.5 * GIB)), null);
    assert.equal(checkMemory(config(), world(null)), null);
  });

  it("is a job's own value too", () => {
    home.set('plot_ram', 64);
    fs.mkdirSync(path.join(home.configDir, 'jobs', 'gpu'), { recursive: true });
    fs.writeFileSync(path.join(home.configDir, 'jobs', 'gpu', 'plot_ram.goplot'), '4\n');
    const job = new JobConfigReader(home, 'gpu', () => {}, {});
    assert.equal(checkMemory(job, world(6 * GIB)), null);
    assert.equal(checkMemory(config(), world(6 * GIB))?.key, 'plot_ram:64');
  });
});

describe('MemAvailable', () => {
  const home = makeTempHome();
  after(() => home.cleanup());

  it('is read from a meminfo file in bytes', () => {
    const file = path.join(home.root, 'meminfo');
    fs.writeFileSync(file, 'MemTotal:       16318412 kB\nMemFree:         1203340 kB\nMemAvailable:    9876543 kB\n');
    assert.equal(readMemAvailableBytes(file), 9876543 * 1024);
  });

  it('is unknown when the file does not say or is missing', () => {
    const file = path.join(home.root, 'meminfo-old');
    fs.writeFileSync(file, 'MemTotal:       16318412 kB\n');
    assert.equal(readMemAvailableBytes(file), null);
    assert.equal(readMemAvailableBytes(path.join(home.root, 'none')), null);
  });
});
