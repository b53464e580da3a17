import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { readHomeRunningPlots } from '../../../lib/farm/plot-scope.js';
import { makeDisks, makeTempHome, type TempHome } from '../../helpers/temp-home.js';

let home: TempHome;
beforeEach(() => {
  home = makeTempHome('goplot-scope-');
  makeDisks(home, { f1: ['d1'] });
  home.set('farm_root', home.farmRoot);
  home.set('temp_root', home.tempRoot);
});
afterEach(() => home.cleanup());

function fakeProc(entries: { pid: number; state: string; environ?: string }[]): string {
  const proc = path.join(home.root, 'fakeproc');
  fs.mkdirSync(proc, { recursive: true });
  fs.writeFileSync(path.join(proc, 'stat'), 'cpu  1 2 3 4\nbtime 1700000000\n');
  for (const { pid, state, environ } of entries) {
    const dir = path.join(proc, String(pid));
    fs.mkdirSync(path.join(dir, 'fd'), { recursive: true });
    const argv = [
      'chia',
      'plots',
      'create',
      '-k',
      '32',
      '-t',
      `${home.tempRoot}/1`,
      '-d',
      `${home.farmRoot}/f1/d1/plots`,
    ];
    fs.writeFileSync(path.join(dir, 'cmdline'), `${argv.join('\0')}\0`);
    fs.writeFileSync(
      path.join(dir, 'stat'),
      `${pid} (chia) ${state} 1 ${pid} 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1000 1000 250 0\n`,
    );
    fs.writeFileSync(path.join(dir, 'status'), 'Name:\tchia\nVmRSS:\t  2048 kB\n');
    if (environ !== undefined) fs.writeFileSync(path.join(dir, 'environ'), environ);
  }
  return proc;
}

test('gives each plot the job of its environment, and leaves out one that ended while it was read', () => {
  const proc = fakeProc([
    { pid: 100, state: 'S', environ: 'PATH=/bin\0GOPLOT_JOB=fast\0' },
    { pid: 101, state: 'T', environ: 'PATH=/bin\0' },
    // exited between the listing and the reads: a zombie's environment reads empty
    { pid: 102, state: 'Z', environ: '' },
  ]);
  const plots = readHomeRunningPlots(new ConfigReader(home), proc);
  assert.deepEqual(
    plots.map((plot) => [plot.pid, plot.job, plot.state]),
    [
      [100, 'fast', 'S'],
      [101, null, 'T'],
    ],
  );
});
