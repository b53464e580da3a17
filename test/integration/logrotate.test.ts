import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { primaryGroup } from '../../lib/start/install-service.js';
import { renderLogrotate } from '../../lib/start/service-files.js';
import { killTree } from '../helpers/sim-farm.js';
import { builtScript, makeTempHome, waitFor, type TempHome } from '../helpers/temp-home.js';

const homes: TempHome[] = [];
const started: number[] = [];
after(() => {
  killTree(started);
  for (const home of homes) home.cleanup();
});

/** The numbers of `line N` messages in a log file's text. */
const lineNumbers = (text: string) =>
  [...text.matchAll(/\] INFO: writer\[\d+\] line (\d+)$/gm)].map((match) => Number(match[1]));

describe('log rotation', () => {
  it(
    'real logrotate with the shipped rules rotates a log while the real logger keeps appending to the truncated file',
    { timeout: 60_000 },
    async () => {
      const home = makeTempHome('goplot-logrotate-');
      homes.push(home);
      const log = path.join(home.logsDir, 'goplot.log');
      // a process that logs as the loop does: lib/util/logger.ts, one line every 20 ms, for at most 40 s
      const writer = spawn(
        'node',
        [
          '--input-type=module',
          '-e',
          `
      import { createLogger } from ${JSON.stringify(builtScript('lib/util/logger.js'))};
      const log = createLogger(${JSON.stringify({ home: home.home, configDir: home.configDir, disksDir: home.disksDir, logsDir: home.logsDir })}, 'writer');
      let n = 0;
      const timer = setInterval(() => log.info('line ' + ++n), 20);
      setTimeout(() => clearInterval(timer), 40_000);
    `,
        ],
        { stdio: 'ignore' },
      );
      started.push(writer.pid!);
      await waitFor('30 lines', () => fs.existsSync(log) && lineNumbers(fs.readFileSync(log, 'utf8')).length >= 30);

      const user = os.userInfo().username;
      const config = path.join(home.root, 'logrotate.conf');
      fs.writeFileSync(config, renderLogrotate({ user, group: primaryGroup(user) ?? user, home: home.home }), {
        mode: 0o644,
      });
      const state = path.join(home.root, 'logrotate.state');
      const rotated = await execa('/usr/sbin/logrotate', ['--state', state, '--force', config], {
        reject: false,
        all: true,
      });
      assert.equal(rotated.exitCode, 0, rotated.all);
      assert.equal(String(rotated.all).trim(), '');

      const old = lineNumbers(fs.readFileSync(`${log}.1`, 'utf8'));
      assert.ok(old.length >= 30, `the rotated file holds the lines so far (${old.length})`);
      const lastOld = old.at(-1)!;
      await waitFor(
        '10 new lines in the truncated file',
        () => lineNumbers(fs.readFileSync(log, 'utf8')).filter((n) => n > lastOld).length >= 10,
      );
      const text = fs.readFileSync(log, 'utf8');
      assert.equal(
        text.includes('\0'),
        false,
        'written on from the new start: no hole of zero bytes where the old content was',
      );
      const now = lineNumbers(text);
      assert.equal(now.length, text.split('\n').filter(Boolean).length, 'every line whole');
      // copytruncate may lose the lines written between its copy and its truncate, never repeat or reorder them
      assert.ok(
        now[0]! > lastOld && now.every((n, i) => i === 0 || n === now[i - 1]! + 1),
        `the writer went on in order: ${now.slice(0, 5).join(', ')}…`,
      );
      assert.ok(fs.readFileSync(state, 'utf8').includes(log), 'logrotate recorded the file in its state');
      process.kill(writer.pid!, 'SIGTERM');
    },
  );
});
