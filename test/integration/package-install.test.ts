import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import { waitFor } from '../helpers/temp-home.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-pack-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it(
    'installs with npm install -g into a prefix and gives a working goplot: --version, init and status',
    { timeout: 240_000 },
    async () => {
      // npm test has just built the .js; --ignore-scripts keeps `prepare` from rebuilding them under the other tests' feet
      const tarballsBefore = fs.readdirSync(PACKAGE_ROOT).filter((name) => name.endsWith('.tgz'));
      // packed from inside the temp dir, naming the checkout: the tarball lands in the working
      // folder whatever npm makes of --pack-destination, never in the farmer's checkout
      const packed = await execa(
        'npm',
        ['pack', PACKAGE_ROOT, '--ignore-scripts', '--silent', '--pack-destination', work],
        { cwd: work },
      );
      assert.deepEqual(
        fs.readdirSync(PACKAGE_ROOT).filter((name) => name.endsWith('.tgz')),
        tarballsBefore,
        'npm pack left a tarball in the checkout',
      );
      const tarball = path.join(work, packed.stdout.trim().split('\n').at(-1)!);
      const listing = (await execa('tar', ['-tzf', tarball])).stdout.split('\n');
      for (const file of [
        'package/scripts/goplot-cli.js',
        'package/scripts/start.js',
        'package/lib/start/run-suite.js',
        'package/deploy/systemd/goplot.service',
        'package/deploy/logrotate/goplot',
      ]) {
        assert.ok(listing.includes(file), `${file} in the tarball`);
      }
      assert.deepEqual(
        listing.filter((file) => file.endsWith('.ts') || file.startsWith('package/test/')),
        [],
        'no sources or tests',
      );

      const prefix = path.join(work, 'prefix');
      // the dependencies come from npm's cache when they are there; the network is asked only for what is missing
      const install = await execa(
        'npm',
        ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
        { reject: false, all: true },
      );
      assert.equal(install.exitCode, 0, install.all);
      const goplot = path.join(prefix, 'bin', 'goplot');
      const env = { PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` };
      const { version } = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
        version: string;
      };
      assert.equal((await execa(goplot, ['--version'], { env })).stdout, `goplot-ts ${version}`);

      for (const command of ['status', 'init']) {
        const noHome = await execa('goplot', [command], { env: { ...env, GOPLOT_HOME: '' }, reject: false });
        assert.equal(noHome.exitCode, 2, command);
        assert.equal(
          noHome.stderr,
          `goplot: no home given: give --home DIR or set GOPLOT_HOME (the folder of an installed package, ${path.join(prefix, 'lib', 'node_modules', 'goplot-ts')}, is no home: an update replaces it)`,
        );
      }

      const home = path.join(work, 'home');
      const init = await execa('goplot', ['init', '--home', home], { env });
      assert.match(
        init.stdout,
        new RegExp(`^created \\d+ value files with their defaults, kept 0 existing ones, in ${home}/config$`),
      );
      fs.writeFileSync(path.join(home, 'config', 'farm_root.goplot'), `${path.join(work, 'farm')}\n`);
      const status = await execa('goplot', ['status', '--home', home], { env });
      assert.match(status.stdout, new RegExp(`^goplot home: ${home}$`, 'm'));
      assert.match(status.stdout, /^running plots: none$/m);

      // the installed suite, as the systemd unit runs it: node <package>/scripts/start.js
      const startScript = path.join(prefix, 'lib', 'node_modules', 'goplot-ts', 'scripts', 'start.js');
      const refused = await execa('node', [startScript], { env: { ...env, GOPLOT_HOME: '' }, reject: false });
      assert.equal(refused.exitCode, 1);
      assert.match(refused.stderr, /^start: no home given: give --home DIR or set GOPLOT_HOME/);
      fs.writeFileSync(path.join(home, 'config', 'prom_dir.goplot'), `${work}\n`);
      const suite = execa('node', [startScript], { env: { ...env, GOPLOT_HOME: home }, reject: false });
      const startLog = path.join(home, 'logs', 'start.log');
      await waitFor(
        'the installed suite to start',
        () => fs.existsSync(startLog) && fs.readFileSync(startLog, 'utf8').includes('] INFO: start['),
      );
      await waitFor(
        'its loop',
        () =>
          fs.existsSync(path.join(home, 'logs', 'goplot.log')) &&
          fs.readFileSync(path.join(home, 'logs', 'goplot.log'), 'utf8').includes('loop started for home'),
      );
      suite.kill('SIGTERM');
      assert.equal((await suite).exitCode, 0);
    },
  );
});
