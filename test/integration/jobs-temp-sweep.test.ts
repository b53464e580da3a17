// diskhand's sweep of orphaned temp files covers the temp root of each job, not only the global one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { makeJob } from '../helpers/jobs.js';
import { simFarmsOfThisFile } from '../helpers/sim-farm.js';
import { logMessages, runScript } from '../helpers/temp-home.js';

const { farm } = simFarmsOfThisFile();

function backdate(file: string, hours: number): void {
  const then = new Date(Date.now() - hours * 3600_000);
  fs.utimesSync(file, then, then);
}

describe("the orphaned temp sweep and jobs' temp roots", () => {
  test("removes an old orphan in a job's own temp root, and keeps a young one", async () => {
    const home = farm({ farm1: ['disk1'] }, ['1']);
    const jobTemp = `${home.tempRoot}_fast`;
    makeJob(home, 'fast', { temp_root: jobTemp }, ['1']);
    const old = path.join(jobTemp, '1', `plot-k25-2026-11-30-08-00-${'a'.repeat(64)}.plot.table1.tmp`);
    const young = path.join(jobTemp, '1', `plot-k25-2026-11-30-08-00-${'b'.repeat(64)}.plot.table1.tmp`);
    for (const file of [old, young]) fs.writeFileSync(file, 'x');
    backdate(old, 2);
    backdate(young, 0.5);
    const result = await runScript(home, 'scripts/diskhand.js');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(fs.existsSync(old), false);
    assert.equal(fs.existsSync(young), true);
    assert.ok(logMessages(home, 'diskhand.log').some((line) => line.startsWith(`removed orphaned temp ${old} `)));
  });
});
