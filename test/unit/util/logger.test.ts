import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger, formatLogLine } from '../../../lib/util/logger.js';
import { PACKAGE_ROOT as PACKAGE_ROOT_FOR_TESTS } from '../../../lib/config/home.js';
import { makeTempHome } from '../../helpers/temp-home.js';

const home = makeTempHome();
after(() => home.cleanup());

describe('the log format', () => {
  it('writes one human line per event with local time, level, name and pid', () => {
    const time = new Date(2026, 10, 23, 9, 5, 7).getTime();
    assert.equal(
      formatLogLine(JSON.stringify({ level: 30, time, pid: 42, name: 'tractor', msg: 'plot 5 started' })),
      '[2026-11-23 09:05:07] INFO: tractor[42] plot 5 started\n',
    );
  });

  it('keeps an event on one line and shows extra fields as JSON', () => {
    const time = new Date(2026, 0, 2, 3, 4, 5).getTime();
    assert.equal(
      formatLogLine(JSON.stringify({ level: 50, time, pid: 7, name: 'goplot', msg: 'failed:\nline two', file: 'x' })),
      '[2026-01-02 03:04:05] ERROR: goplot[7] failed: | line two {"file":"x"}\n',
    );
  });

  it('never interleaves lines from processes writing the same log at once', async () => {
    const script = `
      import { createLogger } from ${JSON.stringify(path.join(PACKAGE_ROOT_FOR_TESTS, 'lib', 'util', 'logger.js'))};
      import { resolveHome } from ${JSON.stringify(path.join(PACKAGE_ROOT_FOR_TESTS, 'lib', 'config', 'home.js'))};
      const log = createLogger(resolveHome({ home: process.argv[1] }), 'writer' + process.argv[2]);
      for (let i = 0; i < 3000; i++) log.info('line ' + i + ' ' + 'x'.repeat(200));`;
    await Promise.all(
      ['1', '2', '3'].map(
        (n) =>
          new Promise((resolve) =>
            spawn('node', ['--input-type=module', '-e', script, home.home, n]).once('exit', resolve),
          ),
      ),
    );
    const lines = fs.readFileSync(path.join(home.logsDir, 'goplot.log'), 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 9000);
    const wellFormed = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: writer[123]\[\d+\] line \d+ x{200}$/;
    assert.deepEqual(
      lines.filter((line) => !wellFormed.test(line)),
      [],
    );
  });

  it('appends to the log file of its home', () => {
    const log = createLogger(home, 'diskhand', 'diskhand.log');
    log.warn('farm1/disk1: full');
    assert.match(
      fs.readFileSync(path.join(home.logsDir, 'diskhand.log'), 'utf8'),
      /^\[[^\]]+\] WARN: diskhand\[\d+\] farm1\/disk1: full\n$/,
    );
  });
});
