import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import {
  buildDashboard,
  dashboardQueries,
  metricNamesIn,
  substituteVariables,
  variableSelectors,
} from '../../dashboard/build-dashboard.js';
import { makeSandbox, type Sandbox } from '../../lib/demo/make-sandbox.js';
import { harvesterLine } from '../../lib/demo/simulated-harvester.js';
import { PACKAGE_ROOT, resolveHome } from '../../lib/config/home.js';
import { setValue } from '../../lib/config/write-value.js';
import {
  missingBinaries,
  startNodeExporter,
  startPrometheus,
  type PrometheusServer,
  type QuerySeries,
  type Server,
} from '../helpers/prometheus.js';
import { startFakeChiaFarm, type FakeChiaFarm } from '../helpers/fake-chia-farm.js';
import { FAKE_BIN } from '../helpers/sim-farm.js';
import { readAlerts, ruleFiles } from '../helpers/alert-rules.js';
import { writePlotFile } from '../helpers/plot-files.js';

const script = (relative: string) => path.join(PACKAGE_ROOT, relative);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CHIA_OUTPUTS = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-cli');

/** How long the whole pipeline may run before every dashboard query must have data (plots must have finished too; 2 loaded cores). */
const DATA_DEADLINE_MS = 60_000;
/** Short plots, so that several finish within the deadline and the outcome panels have data. */
const PLOT_SECONDS = '8';
/** The target's labels, as prometheus/prometheus.yml gives them: this one host does everything. */
const TARGET_LABELS = { role: 'plotter,harvester,farmer' };

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-e2e-'));
const servers: Server[] = [];
const children: ChildProcess[] = [];
let stopPipeline = () => {};
let chiaFarm: FakeChiaFarm | undefined;

after(async () => {
  stopPipeline();
  for (const child of children) signal(child.pid, 'SIGTERM');
  await sleep(300);
  for (const pid of pipelinePids(root)) signal(pid, 'SIGKILL');
  for (const child of children) signal(child.pid, 'SIGKILL');
  await Promise.all(servers.map((server) => server.stop()));
  await chiaFarm?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Every process of this run: its command line or GOPLOT_HOME names the run's folder (tractors, plotters). */
function pipelinePids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (cmdline.includes(dir) || environ.split('\0').some((line) => line.startsWith(`GOPLOT_HOME=${dir}`)))
        pids.push(Number(entry));
    } catch {
      // gone while reading
    }
  }
  return pids;
}

/** The farmer's collector runs from its own home: chia_bin there is the CLI, while the plotting home's chia_bin is the simulated plotter. */
function makeFarmerHome(sandbox: Sandbox) {
  const paths = resolveHome({ home: path.join(sandbox.root, 'farmer-home') });
  for (const [name, value] of [
    ['chia_bin', path.join(FAKE_BIN, 'chia')],
    ['chia_rpc', 'off'],
    ['prom_dir', sandbox.promDir],
  ]) {
    const written = setValue(paths, name, value);
    if (!written.ok) throw new Error(written.message);
  }
  return paths;
}

/**
 * A second farmer whose collectors read chia's RPC (services on 127.0.0.1 replaying real answers
 * over mutual TLS), into a prom dir of its own that a second node_exporter serves: one host's
 * getfarm.prom comes from the CLI or the RPC, never both.
 */
function makeRpcFarmerHome(chiaFarm: FakeChiaFarm, promDir: string) {
  const paths = resolveHome({ home: path.join(root, 'rpc-farmer-home') });
  for (const [name, value] of [
    ['chia_rpc', 'on'],
    ['chia_root', chiaFarm.chiaRoot],
    ['prom_dir', promDir],
  ]) {
    const written = setValue(paths, name, value);
    if (!written.ok) throw new Error(written.message);
  }
  return paths;
}

/**
 * An archiver's home: a staging disk it empties and one local target (another root, with no disk
 * yet), writing archiver.prom into the sandbox's prom dir, so the archive alerts have their series.
 */
function makeArchiverHome(sandbox: Sandbox) {
  const paths = resolveHome({ home: path.join(sandbox.root, 'archiver-home') });
  const farmRoot = path.join(sandbox.root, 'archiver-farm');
  for (const sub of ['plots', 'logs']) fs.mkdirSync(path.join(farmRoot, 'staging', 'ssd1', sub), { recursive: true });
  for (const [name, value] of [
    ['farm_root', farmRoot],
    ['require_mount', 'no'],
    ['archive_staging', 'staging'],
    ['prom_dir', sandbox.promDir],
  ]) {
    const written = setValue(paths, name, value);
    if (!written.ok) throw new Error(written.message);
  }
  const targets = path.join(paths.configDir, 'archive', 'targets');
  fs.mkdirSync(targets, { recursive: true });
  fs.writeFileSync(path.join(targets, 'h1.goplot'), `${path.join(sandbox.root, 'harvester1')}\n`);
  return paths;
}

/**
 * The pipeline as cron and `npm start` run it, for real: the goplot loop (which starts tractors,
 * which start the simulated plotter), harvesterlog following a debug.log that gets a challenge
 * line every second, and diskhand and the three collectors run like cron jobs, only more often.
 */
function startPipeline(sandbox: Sandbox, rpcHome: string): () => void {
  const env = { ...process.env, GOPLOT_HOME: sandbox.paths.home, SIMPLOTTER_SECONDS: PLOT_SECONDS };
  fs.writeFileSync(sandbox.chiaLog, '');
  children.push(spawn('node', [script('scripts/goplot.js')], { env, stdio: 'ignore' }));
  children.push(spawn('node', [script('scripts/harvesterlog.js')], { env, stdio: 'ignore' }));
  const farmerEnv = {
    ...process.env,
    GOPLOT_HOME: makeFarmerHome(sandbox).home,
    FAKE_CHIA_SHOW_S: path.join(CHIA_OUTPUTS, 'show-s_2x_syncing.txt'),
    FAKE_CHIA_FARM_SUMMARY: path.join(CHIA_OUTPUTS, 'farm-summary_2x_loading-remotes.txt'),
  };
  const rpcEnv = { ...process.env, GOPLOT_HOME: rpcHome };
  const archiverHome = makeArchiverHome(sandbox).home;
  let running = true;
  const cron = async () => {
    for (let round = 0; running; round++) {
      fs.appendFileSync(sandbox.chiaLog, harvesterLine(new Date(), round));
      const jobs: [string, NodeJS.ProcessEnv][] = [
        ['collectors/goplot_collector.js', env],
        ['collectors/getharvester_collector.js', env],
        ['collectors/getfarm_collector.js', farmerEnv],
        ['collectors/getfarm_collector.js', rpcEnv],
        ['collectors/getharvester_collector.js', rpcEnv],
      ];
      if (round % 3 === 0) jobs.unshift(['scripts/diskhand.js', env]);
      await Promise.all([
        ...jobs.map(([job, jobEnv]) => execa('node', [script(job)], { env: jobEnv, reject: false, timeout: 20_000 })),
        execa('node', [script('scripts/archiver.js'), '--once', '--home', archiverHome], {
          reject: false,
          timeout: 20_000,
        }),
      ]);
      await sleep(500);
    }
  };
  void cron();
  return () => {
    running = false;
  };
}

interface Checked {
  panel: string;
  refId: string;
  promql: string;
  problem: string | null;
}

/** Each query must parse, return series, and give them the labels its legend names. */
async function checkQueries(prometheus: PrometheusServer): Promise<Checked[]> {
  const legends = new Map(
    buildDashboard().panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => [`${panel.title}/${target.refId}`, target.legendFormat ?? ''] as const),
    ),
  );
  return Promise.all(
    dashboardQueries().map(async ({ panel, refId, promql }): Promise<Checked> => {
      const answer = await prometheus.query(promql);
      let problem: string | null = null;
      if (answer.status === 'error') problem = `error: ${answer.error}`;
      else if (answer.result.length === 0) problem = 'no data';
      else {
        const wanted = [...(legends.get(`${panel}/${refId}`) ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map(
          (match) => match[1]!,
        );
        const lacking = wanted.filter((label) =>
          answer.result.some((series: QuerySeries) => !(label in series.metric)),
        );
        if (lacking.length > 0)
          problem = `series without the legend's labels ${lacking.join(', ')}: ${JSON.stringify(answer.result[0]!.metric)}`;
      }
      return { panel, refId, promql, problem };
    }),
  );
}

/** The series selectors of an expression: `name{…}`, `{…}` and bare metric names. */
function selectorsIn(expr: string): string[] {
  const withMatchers = [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\{[^}]*\}/g)].map((match) => match[0]);
  const named = new Set(withMatchers.map((selector) => selector.split('{')[0]));
  return [...withMatchers, ...metricNamesIn(expr).filter((name) => !named.has(name))];
}

/**
 * Every alert expression must parse and evaluate, as a query and as the rule Prometheus loaded
 * (health ok), and each series selector in it must find series the pipeline wrote (a misspelt
 * metric or file name would leave an alert that can never fire).
 */
async function checkAlerts(prometheus: PrometheusServer): Promise<string[]> {
  const problems: string[] = [];
  const alerts = readAlerts();
  for (const { alert, expr } of alerts) {
    const answer = await prometheus.query(expr);
    if (answer.status === 'error') problems.push(`${alert}: ${answer.error}`);
    for (const selector of selectorsIn(expr)) {
      const found = await prometheus.query(selector);
      if (found.status === 'error' || found.result.length === 0) problems.push(`${alert}: no series for ${selector}`);
    }
  }
  const loaded = new Map((await prometheus.alertRules()).map((rule) => [rule.name, rule]));
  for (const { alert } of alerts) {
    const rule = loaded.get(alert);
    if (!rule) problems.push(`${alert}: not loaded by Prometheus`);
    else if (rule.health !== 'ok')
      problems.push(`${alert}: health ${rule.health}${rule.lastError ? ` (${rule.lastError})` : ''}`);
  }
  return problems;
}

/** Each host drop-down's label_values() selector finds series that carry its label. */
async function checkVariables(prometheus: PrometheusServer): Promise<string[]> {
  const problems: string[] = [];
  for (const { name, selector, label } of variableSelectors()) {
    const answer = await prometheus.query(substituteVariables(selector));
    if (answer.status === 'error') problems.push(`$${name}: ${answer.error}`);
    else if (!answer.result.some((series) => label in series.metric))
      problems.push(`$${name}: no series of ${selector} with a ${label} label`);
  }
  return problems;
}

/** The answers asserted after the queries', read together so the test can poll for all of them. */
async function lateAnswers(prometheus: PrometheusServer) {
  const valueOf = async (promql: string) => {
    const answer = await prometheus.query(promql);
    return answer.status === 'success' ? answer.result.map((series) => series.value?.[1]) : answer;
  };
  const harvesterStat = buildDashboard().panels.find((panel) => panel.title === 'Harvester' && panel.type === 'stat')!
    .targets![0]!.expr;
  return {
    finished: await valueOf('sum(goplot_plots_finished_total)'),
    phases: await valueOf('count(goplot_plot_phase_duration_seconds_count > 0)'),
    harvester: await valueOf(substituteVariables(harvesterStat)),
    active: (await prometheus.alertRules())
      .filter((rule) => rule.state !== 'inactive')
      .map((rule) => `${rule.name} ${rule.state}`)
      .sort(),
    scrapeErrors: await valueOf('node_textfile_scrape_error'),
    running: await valueOf(substituteVariables('goplot_running_plots{instance=~"$plotter"}')),
  };
}
type LateAnswers = Awaited<ReturnType<typeof lateAnswers>>;
const firstNumber = (values: unknown) => (Array.isArray(values) ? Number(values[0]) : NaN);
// the fake chia's outputs say the node syncs and the farmer is "Syncing": exactly those two alerts
// wait out their for:, and nothing else is wrong with the sandbox
const EXPECTED_ACTIVE = ['GoplotFarmingStopped pending', 'GoplotFullNodeNotSynced pending'];
const lateReady = (late: LateAnswers) =>
  firstNumber(late.finished) >= 1 &&
  firstNumber(late.phases) === 4 &&
  JSON.stringify(late.harvester) === '["1"]' &&
  JSON.stringify(late.active) === JSON.stringify(EXPECTED_ACTIVE) &&
  JSON.stringify(late.scrapeErrors) === '["0","0"]' &&
  firstNumber(late.running) >= 1;

const missing = missingBinaries();

describe('the dashboard against real Prometheus and node_exporter, fed by the running pipeline', () => {
  it(
    'every dashboard query parses and returns data with the labels its legend uses',
    { timeout: 120_000 },
    async () => {
      assert.equal(missing, null, missing ?? '');
      const sandbox = makeSandbox(path.join(root, 'demo'));
      setValue(sandbox.paths, 'plot_gap', '1');
      setValue(sandbox.paths, 'harvester_threshold', '30');
      // a farm that already holds a plot: the inventory panels have data before the first new plot ends
      writePlotFile(path.join(sandbox.farmRoot, 'farm1', 'disk1', 'plots'), { kind: 'solo', sizeBytes: 1024 ** 2 });
      const nodeExporter = await startNodeExporter(sandbox.promDir);
      servers.push(nodeExporter);
      chiaFarm = await startFakeChiaFarm(path.join(root, 'chia'));
      const rpcPromDir = path.join(root, 'rpc-prom');
      fs.mkdirSync(rpcPromDir);
      const rpcExporter = await startNodeExporter(rpcPromDir);
      servers.push(rpcExporter);
      const prometheus = await startPrometheus(
        path.join(root, 'prometheus'),
        [new URL(nodeExporter.url).host, new URL(rpcExporter.url).host],
        {
          ruleFiles: ruleFiles(),
          labels: TARGET_LABELS,
          jobName: 'goplot',
        },
      );
      servers.push(prometheus);
      stopPipeline = startPipeline(sandbox, makeRpcFarmerHome(chiaFarm, rpcPromDir).home);

      const startedAt = Date.now();
      const deadline = startedAt + DATA_DEADLINE_MS;
      let checked: Checked[] = [];
      let alertProblems: string[] = [];
      let variableProblems: string[] = [];
      // every answer asserted below is polled for, not only the queries' (a scrape can come before a plot ends)
      let late: LateAnswers;
      do {
        await sleep(1000);
        checked = await checkQueries(prometheus);
        alertProblems = await checkAlerts(prometheus);
        variableProblems = await checkVariables(prometheus);
        late = await lateAnswers(prometheus);
        if (process.env.E2E_DEBUG)
          console.log(
            ((Date.now() - startedAt) / 1000).toFixed(1),
            JSON.stringify([
              ...checked.filter((q) => q.problem).map((q) => `${q.panel} ${q.refId}: ${q.problem}`),
              ...alertProblems,
              ...variableProblems,
              late,
            ]),
          );
      } while (
        (checked.some((query) => query.problem !== null) ||
          alertProblems.length > 0 ||
          variableProblems.length > 0 ||
          !lateReady(late)) &&
        Date.now() < deadline
      );
      stopPipeline();

      assert.ok(checked.length >= 40, `${checked.length} queries`);
      const problems = checked
        .filter((query) => query.problem !== null)
        .map((query) => `${query.panel} ${query.refId}: ${query.problem} in ${query.promql}`);
      const files = fs
        .readdirSync(sandbox.promDir)
        .filter((file) => file.endsWith('.prom'))
        .sort();
      assert.deepEqual(
        problems,
        [],
        `after ${Math.round((Date.now() - startedAt) / 1000)} s; prom files: ${files.join(', ')}`,
      );
      assert.deepEqual(
        alertProblems,
        [],
        'every alert of prometheus/alerts parses, and Prometheus evaluates it on the real data',
      );
      assert.ok(readAlerts().length >= 14);
      assert.deepEqual(variableProblems, [], 'every variable finds its hosts');
      assert.ok(
        firstNumber(late.finished) >= 1,
        `plots finished and were counted by the tractors: ${JSON.stringify(late.finished)}`,
      );
      assert.equal(
        firstNumber(late.phases),
        4,
        `the finished plots' four phases have times: ${JSON.stringify(late.phases)}`,
      );
      assert.deepEqual(late.harvester, ['1'], 'harvesterlog runs: up, not stale');
      assert.deepEqual(late.active, EXPECTED_ACTIVE);
      assert.deepEqual(files, [
        'archiver.prom',
        'getfarm.prom',
        'getharvester.prom',
        'goplot.prom',
        'harvesterlog.prom',
      ]);
      const rpcFiles = fs
        .readdirSync(rpcPromDir)
        .filter((file) => file.endsWith('.prom'))
        .sort();
      assert.deepEqual(rpcFiles, ['getfarm.prom', 'getharvester.prom']);
      if (process.env.E2E_KEEP_PROM)
        for (const file of files)
          fs.copyFileSync(path.join(sandbox.promDir, file), path.join(process.env.E2E_KEEP_PROM, file));
      const documented = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'metrics.md'), 'utf8');
      const written = [
        ...files.map((file) => path.join(sandbox.promDir, file)),
        ...rpcFiles.map((file) => path.join(rpcPromDir, file)),
      ];
      const families = written.flatMap((file) =>
        [...fs.readFileSync(file, 'utf8').matchAll(/^# HELP (\S+) /gm)].map((match) => match[1]!),
      );
      assert.deepEqual(
        families.filter((name) => !documented.includes(`\`${name}\``)),
        [],
        'every metric written is in docs/metrics.md',
      );
      assert.deepEqual(late.scrapeErrors, ['0', '0'], 'both node_exporters read every .prom file');
      assert.ok(
        firstNumber(late.running) >= 1,
        `plots were running through the loop, tractors and the simulated plotter: ${JSON.stringify(late.running)}`,
      );
    },
  );
});
