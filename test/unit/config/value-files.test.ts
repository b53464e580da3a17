import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { initValueFiles, setValue } from '../../../lib/config/write-value.js';
import { makeTempHome } from '../../helpers/temp-home.js';

function readerWithLog(home: ReturnType<typeof makeTempHome>) {
  const lines: string[] = [];
  const reader = new ConfigReader(home, (level, message) => lines.push(`${level}: ${message}`), {
    HOME: '/home/farmer',
  });
  return { reader, lines };
}

describe('value files', () => {
  const home = makeTempHome();
  after(() => home.cleanup());
  const file = (name: string) => path.join(home.configDir, `${name}.goplot`);

  it('uses the default for a missing file and says so once', () => {
    const { reader, lines } = readerWithLog(home);
    assert.equal(reader.get('plot_gap'), 3600);
    assert.equal(reader.get('plot_gap'), 3600);
    assert.deepEqual(lines, [`info: ${file('plot_gap')}: missing, using the default 3600`]);
  });

  it('takes the last non-empty line, trimmed, as goplot took tail -n1', () => {
    fs.writeFileSync(file('max_plots'), '1\n  5  \n\n\n');
    const { reader, lines } = readerWithLog(home);
    assert.equal(reader.get('max_plots'), 5);
    assert.deepEqual(lines, []);
  });

  it('reads a file written on Windows (CRLF)', () => {
    fs.writeFileSync(file('max_plots'), '4\r\n');
    assert.equal(readerWithLog(home).reader.get('max_plots'), 4);
  });

  const bad: [string, string, string][] = [
    ['an empty file', '', '""'],
    ['text where a number belongs', 'three\n', '"three"'],
    ['a negative number', '-2\n', '"-2"'],
    ['an absurdly large number', '99999999999999999999\n', '"99999999999999999999"'],
    ['a fraction where a whole number belongs', '2.5\n', '"2.5"'],
  ];
  for (const [what, content, shown] of bad) {
    it(`names the file, ${what} and the default used instead`, () => {
      fs.writeFileSync(file('max_plots'), content);
      const { reader, lines } = readerWithLog(home);
      assert.equal(reader.get('max_plots'), 3);
      assert.deepEqual(lines, [
        `warn: ${file('max_plots')}: invalid value ${shown} (expected a whole number from 0 to 1000); using 3 (the default)`,
      ]);
    });
  }

  it('uses the last good value after the file turns bad, and says it once', () => {
    fs.writeFileSync(file('load_max'), '12.5\n');
    const { reader, lines } = readerWithLog(home);
    assert.equal(reader.get('load_max'), 12.5);
    fs.writeFileSync(file('load_max'), 'lots\n');
    assert.equal(reader.get('load_max'), 12.5);
    assert.equal(reader.get('load_max'), 12.5);
    assert.deepEqual(lines, [
      `warn: ${file('load_max')}: invalid value "lots" (expected a number from 0 to 100000); using 12.5 (the last good value)`,
    ]);
    assert.equal(reader.inspect('load_max').source, 'last good');
  });

  it('refuses binary bytes without crashing', () => {
    fs.writeFileSync(file('plot_poll'), Buffer.from([0x00, 0x01, 0xff, 0x32, 0x0a]));
    const { reader, lines } = readerWithLog(home);
    assert.equal(reader.get('plot_poll'), 120);
    assert.deepEqual(lines, [
      `warn: ${file('plot_poll')}: invalid value "\\u0000\\u0001�2" (it holds binary bytes); using 120 (the default)`,
    ]);
  });

  it('survives a directory where the file should be', () => {
    fs.mkdirSync(file('plot_gap'), { recursive: true });
    const { reader, lines } = readerWithLog(home);
    assert.equal(reader.get('plot_gap'), 3600);
    assert.deepEqual(lines, [
      `warn: ${file('plot_gap')}: cannot be read (it is a directory, not a file); using 3600 (the default)`,
    ]);
    fs.rmdirSync(file('plot_gap'));
  });

  it('refuses a FIFO where the file should be, without hanging on it', () => {
    fs.rmSync(file('plot_poll'), { force: true });
    execFileSync('mkfifo', [file('plot_poll')]);
    const { reader, lines } = readerWithLog(home);
    assert.equal(reader.get('plot_poll'), 120);
    assert.deepEqual(lines, [
      `warn: ${file('plot_poll')}: cannot be read (it is not a regular file (a FIFO, device or socket)); using 120 (the default)`,
    ]);
    fs.rmSync(file('plot_poll'));
  });

  it('refuses a link to /dev/zero instead of reading it', () => {
    fs.symlinkSync('/dev/zero', file('plot_gap'));
    const { reader, lines } = readerWithLog(home);
    assert.equal(reader.get('plot_gap'), 3600);
    assert.equal(lines.length, 1);
    fs.rmSync(file('plot_gap'));
  });

  it('refuses any symlink, even to a readable file holding a valid value, naming the file', () => {
    const elsewhere = path.join(home.root, 'outside.goplot');
    fs.writeFileSync(elsewhere, 'run\n');
    fs.rmSync(file('on_toggle'), { force: true });
    fs.symlinkSync(elsewhere, file('on_toggle'));
    const { reader, lines } = readerWithLog(home);
    assert.equal(reader.get('on_toggle'), 'off');
    assert.deepEqual(lines, [
      `warn: ${file('on_toggle')}: cannot be read (it is a symbolic link; value files must be regular files (replace the link with the file)); using off (the default)`,
    ]);
    fs.rmSync(file('on_toggle'));
  });

  it('refuses a file larger than any value instead of reading its tail', () => {
    fs.writeFileSync(file('plot_poll'), `-${'0'.repeat(10_000_000)}1\n`);
    const { reader, lines } = readerWithLog(home);
    assert.equal(reader.get('plot_poll'), 120);
    assert.deepEqual(lines, [
      `warn: ${file('plot_poll')}: cannot be read (it is 10000003 bytes, more than any value takes (at most 4096); not read); using 120 (the default)`,
    ]);
    fs.writeFileSync(file('plot_poll'), `${' '.repeat(4000)}\n7\n`);
    assert.equal(readerWithLog(home).reader.get('plot_poll'), 7);
  });

  it('expands ~/ in path values with the home of the environment', () => {
    assert.equal(readerWithLog(home).reader.get('chia_log'), '/home/farmer/.chia/mainnet/log/debug.log');
  });

  it('takes only the cron schedules node-cron can schedule, and says which field is wrong', () => {
    const cases: [string, string][] = [
      ['99 * * * *', '"99" is not a valid minute'],
      ['* 25 * * *', '"25" is not a valid hour'],
      ['61 * * * * *', '"61" is not a valid second'],
      ['*/0 * * * *', '"*/0" is not a valid minute'],
    ];
    for (const [schedule, why] of cases) {
      fs.writeFileSync(file('collector_schedule'), `${schedule}\n`);
      const { reader, lines } = readerWithLog(home);
      assert.equal(reader.get('collector_schedule'), '* * * * *');
      assert.deepEqual(lines, [
        `warn: ${file('collector_schedule')}: invalid value "${schedule}" (expected a cron schedule of five or six fields, such as */5 * * * *; ${why}); using * * * * * (the default)`,
      ]);
    }
    fs.writeFileSync(file('collector_schedule'), 'every minute\n');
    const words = readerWithLog(home);
    assert.equal(words.reader.get('collector_schedule'), '* * * * *');
    assert.match(
      words.lines[0] ?? '',
      /invalid value "every minute" \(expected a cron schedule of five or six fields, such as \*\/5 \* \* \* \*\); using/,
    );
    for (const schedule of ['*/2 * * * * *', '0 4 * * MON', '0 0 * * 7', '*/15  * * * *']) {
      fs.writeFileSync(file('diskhand_schedule'), `${schedule}\n`);
      const { reader, lines } = readerWithLog(home);
      assert.equal(reader.get('diskhand_schedule'), schedule.replace(/\s+/g, ' '));
      assert.deepEqual(lines, []);
    }
  });

  it('lets on_toggle hold any text, since anything but run means off', () => {
    fs.writeFileSync(file('on_toggle'), 'stop please\n');
    assert.equal(readerWithLog(home).reader.get('on_toggle'), 'stop please');
  });
});

describe('goplot set and init', () => {
  const home = makeTempHome();
  after(() => home.cleanup());

  it('refuses an unknown name and lists the known ones', () => {
    const result = setValue(home, 'max_plot', '2');
    assert.equal(result.ok, false);
    assert.match(
      !result.ok ? result.message : '',
      /^unknown value name "max_plot"; known names: on_toggle, plot_poll, plot_gap, /,
    );
  });

  it('refuses an invalid value before writing anything', () => {
    const target = path.join(home.configDir, 'plot_poll.goplot');
    fs.writeFileSync(target, '60\n');
    const result = setValue(home, 'plot_poll', '0');
    assert.deepEqual(result, {
      ok: false,
      message: `${target}: refusing "0" (expected a whole number from 1 to 86400)`,
    });
    assert.equal(fs.readFileSync(target, 'utf8'), '60\n');
  });

  it('refuses control bytes, which the readers would refuse too', () => {
    const result = setValue(home, 'on_toggle', '\u0001run');
    assert.deepEqual(result, {
      ok: false,
      message: `${path.join(home.configDir, 'on_toggle.goplot')}: refusing "\\u0001run" (it holds control or binary bytes)`,
    });
  });

  it('writes a valid value atomically, leaving no temp file', () => {
    const result = setValue(home, 'max_plots', ' 6 ');
    assert.deepEqual(result, { ok: true, file: path.join(home.configDir, 'max_plots.goplot'), value: '6' });
    assert.equal(fs.readFileSync(path.join(home.configDir, 'max_plots.goplot'), 'utf8'), '6\n');
    assert.deepEqual(
      fs.readdirSync(home.configDir).filter((name) => name.includes('.tmp')),
      [],
    );
  });

  it('init creates every missing file with its default and never overwrites one', () => {
    const { created, kept } = initValueFiles(home);
    assert.equal(fs.readFileSync(path.join(home.configDir, 'max_plots.goplot'), 'utf8'), '6\n');
    assert.ok(kept.includes(path.join(home.configDir, 'max_plots.goplot')));
    assert.ok(created.includes(path.join(home.configDir, 'plot_gap.goplot')));
    assert.equal(fs.readFileSync(path.join(home.configDir, 'plot_gap.goplot'), 'utf8'), '3600\n');
    const again = initValueFiles(home);
    assert.deepEqual(again.created, []);
  });
});
