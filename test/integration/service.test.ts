import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { EXAMPLE_SETTINGS, renderLogrotate, renderUnit } from '../../lib/start/service-files.js';
import { killTree } from '../helpers/sim-farm.js';
import { builtScript, logMessages, makeTempHome, runScript, waitFor, type TempHome } from '../helpers/temp-home.js';

const homes: TempHome[] = [];
const started: number[] = [];
after(() => {
  killTree(started);
  for (const home of homes) home.cleanup();
});

/** `systemd-analyze verify` prints nothing for a unit it finds right (it exits 0 even after a warning). */
async function verifyUnit(file: string): Promise<string> {
  const result = await execa('systemd-analyze', ['verify', file], { reject: false, all: true });
  assert.equal(result.exitCode, 0, result.all);
  return String(result.all).trim();
}

const me = os.userInfo().username;

describe('running as a service', () => {
  it('ships a systemd unit that systemd-analyze verify accepts, and a logrotate file, both as install-service writes them for the example settings', async () => {
    const unitFile = path.join(PACKAGE_ROOT, 'deploy', 'systemd', 'goplot.service');
    assert.equal(await verifyUnit(unitFile), '');
    assert.equal(fs.readFileSync(unitFile, 'utf8'), renderUnit(EXAMPLE_SETTINGS));
    assert.equal(
      fs.readFileSync(path.join(PACKAGE_ROOT, 'deploy', 'logrotate', 'goplot'), 'utf8'),
      renderLogrotate(EXAMPLE_SETTINGS),
    );
    const unit = fs.readFileSync(unitFile, 'utf8');
    for (const line of [
      'After=network-online.target local-fs.target',
      'Restart=on-failure',
      'User=goplot',
      'Environment=GOPLOT_HOME=/var/lib/goplot',
      'ExecStart=/usr/bin/node /opt/goplot-ts/scripts/start.js',
      'KillMode=process',
    ]) {
      assert.ok(unit.split('\n').includes(line), line);
    }
  });

  it('goplot install-service writes a unit that verifies and a logrotate file for the user and home, and makes the home; --dry-run changes nothing', async () => {
    const home = makeTempHome('goplot-service-');
    homes.push(home);
    const serviceHome = path.join(home.root, 'service-home');
    const unitDir = path.join(home.root, 'units');
    const logrotateDir = path.join(home.root, 'logrotate.d');
    const args = [
      'install-service',
      '--home',
      serviceHome,
      '--user',
      me,
      '--unit-dir',
      unitDir,
      '--logrotate-dir',
      logrotateDir,
    ];

    // as on a machine systemd runs: its run folder is there
    const dry = await runScript(home, 'scripts/goplot-cli.js', [...args, '--dry-run'], {
      env: { GOPLOT_SYSTEMD_RUN_DIR: home.root },
    });
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^would write ${unitDir}/goplot.service:$`, 'm'));
    assert.match(dry.stdout, /^would run: systemctl enable goplot\.service$/m);
    assert.equal(fs.existsSync(unitDir) || fs.existsSync(serviceHome), false, 'a dry run writes nothing');

    const written = await runScript(home, 'scripts/goplot-cli.js', [...args, '--no-enable']);
    assert.equal(written.exitCode, 0, written.stderr);
    assert.deepEqual(written.stdout.trim().split('\n'), [
      `wrote ${unitDir}/goplot.service`,
      `wrote ${logrotateDir}/goplot`,
      'not enabled (--no-enable); to run it: systemctl daemon-reload && systemctl enable --now goplot',
    ]);
    const unitFile = path.join(unitDir, 'goplot.service');
    assert.equal(await verifyUnit(unitFile), '');
    const unit = fs.readFileSync(unitFile, 'utf8').split('\n');
    for (const line of [
      `User=${me}`,
      `Environment=GOPLOT_HOME=${serviceHome}`,
      `ExecStart=${process.execPath} ${PACKAGE_ROOT}/scripts/start.js`,
      'Restart=on-failure',
    ]) {
      assert.ok(unit.includes(line), `${line} in\n${unit.join('\n')}`);
    }
    assert.match(
      fs.readFileSync(path.join(logrotateDir, 'goplot'), 'utf8'),
      new RegExp(`^${serviceHome}/logs/\\*\\.log \\{$`, 'm'),
    );
    assert.ok(fs.existsSync(path.join(serviceHome, 'config', 'on_toggle.goplot')), 'the home has its value files');
  });

  it('goplot install-service where systemd does not run writes the files, runs no systemctl, says why and exits 0', async () => {
    const home = makeTempHome('goplot-service-');
    homes.push(home);
    const unitDir = path.join(home.root, 'units');
    const logrotateDir = path.join(home.root, 'logrotate.d');
    // a systemctl that records being run: on a machine without systemd the real one can only fail
    const bin = path.join(home.root, 'bin');
    const calls = path.join(home.root, 'systemctl-calls');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh\necho "$@" >> ${calls}\nexit 1\n`, { mode: 0o755 });
    const args = ['install-service', '--home', path.join(home.root, 'service-home'), '--user', me];
    const env = { GOPLOT_SYSTEMD_RUN_DIR: path.join(home.root, 'no-systemd'), PATH: `${bin}:${process.env.PATH}` };
    const hint = 'to run it: systemctl daemon-reload && systemctl enable --now goplot';
    const why = 'systemd does not run this machine: no /run/systemd/system';
    const dry = await runScript(
      home,
      'scripts/goplot-cli.js',
      [...args, '--unit-dir', unitDir, '--logrotate-dir', logrotateDir, '--dry-run'],
      { env },
    );
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.equal(dry.stdout.trim().split('\n').at(-1), `would not enable it (${why}); ${hint}`);
    const result = await runScript(
      home,
      'scripts/goplot-cli.js',
      [...args, '--unit-dir', unitDir, '--logrotate-dir', logrotateDir],
      { env },
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      `wrote ${unitDir}/goplot.service`,
      `wrote ${logrotateDir}/goplot`,
      `not enabled (${why}); ${hint}`,
    ]);
    assert.equal(fs.existsSync(calls), false, 'systemctl was run');
    assert.equal(await verifyUnit(path.join(unitDir, 'goplot.service')), '');
  });

  it('goplot install-service refuses a user that does not exist and a home inside an installed package', async () => {
    const home = makeTempHome('goplot-service-');
    homes.push(home);
    const noUser = await runScript(home, 'scripts/goplot-cli.js', [
      'install-service',
      '--home',
      home.home,
      '--user',
      'no-such-user-goplot',
      '--dry-run',
    ]);
    assert.equal(noUser.exitCode, 2);
    assert.equal(
      noUser.stderr.trim(),
      `goplot install-service: no user no-such-user-goplot on this machine (make it first, e.g. useradd --system --create-home --home-dir ${home.home} no-such-user-goplot)`,
    );
    const inPackage = path.join(home.root, 'lib', 'node_modules', 'goplot-ts');
    const packaged = await runScript(home, 'scripts/goplot-cli.js', [
      'install-service',
      '--home',
      inPackage,
      '--user',
      me,
      '--dry-run',
    ]);
    assert.equal(packaged.exitCode, 2);
    assert.equal(
      packaged.stderr.trim(),
      `goplot install-service: the home ${inPackage} is inside an installed package, which an update replaces: give --home DIR (e.g. /var/lib/goplot)`,
    );
  });

  it('goplot --version prints the package version', async () => {
    const home = makeTempHome('goplot-service-');
    homes.push(home);
    const { version } = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await runScript(home, 'scripts/goplot-cli.js', ['--version']);
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout.trim(), `goplot-ts ${version}`);
  });

  it('refuses a --home or GOPLOT_HOME that does not exist or is no home, instead of reading defaults and scanning /farm', async () => {
    const home = makeTempHome('goplot-service-');
    homes.push(home);
    const missing = path.join(home.root, 'no-such-home');
    const status = await runScript(home, 'scripts/goplot-cli.js', ['status', '--home', missing]);
    assert.equal(status.exitCode, 2);
    assert.equal(status.stdout, '');
    assert.equal(
      status.stderr.trim(),
      `goplot: the home ${missing} (--home) does not exist; check the path, or make it one with: goplot init --home ${missing}`,
    );
    const fromEnv = await runScript(home, 'scripts/goplot-cli.js', ['config'], { env: { GOPLOT_HOME: home.farmRoot } });
    assert.equal(fromEnv.exitCode, 2);
    assert.equal(
      fromEnv.stderr.trim(),
      `goplot: ${home.farmRoot} (GOPLOT_HOME) is no goplot home: it has no config/ folder; check the path, or make it one with: goplot init --home ${home.farmRoot}`,
    );
    const init = await runScript(home, 'scripts/goplot-cli.js', ['init', '--home', missing]);
    assert.equal(init.exitCode, 0, init.stderr);
    assert.equal((await runScript(home, 'scripts/goplot-cli.js', ['status', '--home', missing])).exitCode, 0);
  });

  it('goplot start says when no loop runs for the home and how to start one, and says nothing more when one runs', async () => {
    const home = makeTempHome('goplot-service-');
    homes.push(home);
    const alone = await runScript(home, 'scripts/goplot-cli.js', ['start', '--home', home.home]);
    assert.equal(alone.exitCode, 0);
    assert.deepEqual(alone.stdout.trim().split('\n'), [
      'on_toggle = run: the loop starts plots when the limits allow',
      `but no goplot loop runs for ${home.home}, so nothing will plot until one does. Start the whole suite with:`,
      `  node ${builtScript('scripts/start.js')} --home ${home.home}      (or: systemctl start goplot, once installed with goplot install-service)`,
      'or only the loop with:',
      `  node ${builtScript('scripts/goplot.js')} --home ${home.home} &`,
    ]);

    home.set('on_toggle', 'off');
    const loop = spawn('node', [builtScript('scripts/goplot.js'), '--home', home.home], { stdio: 'ignore' });
    started.push(loop.pid!);
    const exited = new Promise((resolve) => loop.once('exit', resolve));
    await waitFor('the loop', () => logMessages(home).some((line) => line.startsWith('loop started for home ')));
    const withLoop = await runScript(home, 'scripts/goplot-cli.js', ['start', '--home', home.home]);
    assert.equal(withLoop.stdout.trim(), 'on_toggle = run: the loop starts plots when the limits allow');
    loop.kill('SIGTERM');
    await exited;
  });
});
