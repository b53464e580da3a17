import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { JobConfigReader } from '../../../lib/jobs/job-config.js';
import { findForeignJobFiles, loadHomeJobs, readJobLimits } from '../../../lib/jobs/home-jobs.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';

const homes: TempHome[] = [];
after(() => homes.forEach((home) => home.cleanup()));

function homeWithJobs(jobs: Record<string, Record<string, string>>): TempHome {
  const home = makeTempHome();
  homes.push(home);
  for (const [job, values] of Object.entries(jobs)) {
    const dir = path.join(home.configDir, 'jobs', job);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, value] of Object.entries(values))
      fs.writeFileSync(path.join(dir, `${name}.goplot`), `${value}\n`);
  }
  return home;
}

describe('jobs as folders of value files', () => {
  it('without config/jobs/ there is one implicit job that reads the global files', () => {
    const home = homeWithJobs({});
    home.set('k', 27);
    const global = new ConfigReader(home);
    const { jobs, refused } = loadHomeJobs(global, () => {}, {});
    assert.deepEqual(refused, []);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.name, 'default');
    assert.equal(jobs[0]!.implicit, true);
    assert.equal(jobs[0]!.config, global);
    assert.deepEqual(readJobLimits(jobs[0]!), { ok: true, limits: {} });
  });

  it("a job's file wins for its plot values; without it the global file holds", () => {
    const home = homeWithJobs({ fast: { k: '30', plotter: 'bladebit-disk', temp_root: '/nvme2' } });
    home.set('k', 27);
    home.set('threads', 6);
    const job = new JobConfigReader(home, 'fast');
    assert.equal(job.get('k'), 30);
    assert.equal(job.get('plotter'), 'bladebit-disk');
    assert.equal(job.get('temp_root'), '/nvme2');
    assert.equal(job.get('threads'), 6);
    assert.equal(job.inspect('threads').file, path.join(home.configDir, 'threads.goplot'));
    assert.equal(job.inspect('k').file, path.join(home.configDir, 'jobs', 'fast', 'k.goplot'));
  });

  it("round-robin state comes from the job's folder only, and limits are not plot values", () => {
    const home = homeWithJobs({ fast: {} });
    home.set('farm_dest', 'farm2');
    home.set('max_plots', 9);
    const job = new JobConfigReader(home, 'fast');
    assert.equal(job.get('farm_dest'), '0');
    assert.equal(job.inspect('farm_dest').file, path.join(home.configDir, 'jobs', 'fast', 'farm_dest.goplot'));
    // max_plots through the job's reader is the global one: a job limit is read with readJobLimits
    assert.equal(job.get('max_plots'), 9);
    fs.writeFileSync(path.join(home.configDir, 'jobs', 'fast', 'farm_dest.goplot'), 'farm7\n');
    assert.equal(job.get('farm_dest'), 'farm7');
  });

  it("a job's limits apply only when its folder has them", () => {
    const home = homeWithJobs({ slow: { max_plots: '2', plot_gap: '600' }, free: {} });
    home.set('max_plots', 5);
    const { jobs } = loadHomeJobs(new ConfigReader(home), () => {}, {});
    assert.deepEqual(
      jobs.map((job) => job.name),
      ['free', 'slow'],
    );
    assert.deepEqual(readJobLimits(jobs[0]!), { ok: true, limits: {} });
    assert.deepEqual(readJobLimits(jobs[1]!), { ok: true, limits: { max_plots: 2, plot_gap: 600 } });
  });

  it('refuses folder names outside letters, digits, - and _ by name, and keeps the good ones', () => {
    const home = homeWithJobs({ 'good_1-a': {}, 'bad name': {}, 'ok.no': {} });
    fs.writeFileSync(path.join(home.configDir, 'jobs', 'stray.goplot'), 'x\n');
    const { jobs, refused } = loadHomeJobs(new ConfigReader(home), () => {}, {});
    assert.deepEqual(
      jobs.map((job) => job.name),
      ['good_1-a'],
    );
    const dir = path.join(home.configDir, 'jobs');
    assert.deepEqual(refused.sort(), [
      `${dir}/bad name: job name "bad name" is refused: only letters, digits, - and _`,
      `${dir}/ok.no: job name "ok.no" is refused: only letters, digits, - and _`,
      `${dir}/stray.goplot: not a folder, so not a job`,
    ]);
  });

  it('a bad value in a job folder stops that job alone, naming the file and the value', () => {
    const home = homeWithJobs({ broken: { threads: 'many' }, fine: { threads: '4' }, badlimit: { max_plots: '-1' } });
    const lines: string[] = [];
    const { jobs } = loadHomeJobs(new ConfigReader(home), (_level, message) => lines.push(message), {});
    const byName = Object.fromEntries(jobs.map((job) => [job.name, readJobLimits(job)]));
    const dir = path.join(home.configDir, 'jobs');
    assert.deepEqual(byName.broken, {
      ok: false,
      message: `job broken stopped: ${dir}/broken/threads.goplot: invalid value "many" (expected a whole number from 1 to 1024)`,
    });
    assert.deepEqual(byName.badlimit, {
      ok: false,
      message: `job badlimit stopped: ${dir}/badlimit/max_plots.goplot: invalid value "-1" (expected a whole number from 0 to 1000)`,
    });
    assert.deepEqual(byName.fine, { ok: true, limits: {} });
    assert.ok(
      lines.some((line) => line.startsWith(`${dir}/broken/threads.goplot: invalid value "many"`)),
      lines.join('\n'),
    );
  });

  it('says which files in a job folder are not job values', () => {
    const home = homeWithJobs({ fast: { load_max: '3', k: '32' } });
    assert.deepEqual(findForeignJobFiles(home, 'fast'), [
      `${home.configDir}/jobs/fast/load_max.goplot: not a job value, ignored (it only has a meaning in ${home.configDir})`,
    ]);
  });
});
