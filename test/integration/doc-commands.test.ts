import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../lib/config/home.js';
import {
  codeSnippets,
  farmerDocs,
  headingAnchors,
  linkTargets,
  statements,
  testedBlocks,
} from '../helpers/markdown.js';
import { makePlot, makeTargetDisk, plotFiles } from '../helpers/archive-world.js';
import { writePlotFile } from '../helpers/plot-files.js';

const docs = farmerDocs();
const packageJson = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const GLOBAL_OPTIONS = ['--home', '--help', '--version'];
/** npm run scripts whose arguments after `--` go to an entry script. */
const NPM_RUN_ENTRIES: Record<string, string> = { demo: 'scripts/demo.js' };

async function helpText(args: string[]): Promise<string> {
  const result = await execa('node', args, { cwd: PACKAGE_ROOT, reject: false, all: true });
  assert.equal(result.exitCode, 0, `node ${args.join(' ')}: ${result.all}`);
  return result.stdout;
}

/** The command names under "Commands:" in a commander help text. */
function commandNames(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((match) => match[1]).filter((name) => name !== 'help');
}

interface GoplotUse {
  file: string;
  subs: string[];
  next: string;
  options: string[];
  shown: string;
}

/** Each `goplot SUB …` shown: the file, the subcommand word(s), the next word and the options after it. */
function goplotUses(): GoplotUse[] {
  const uses: GoplotUse[] = [];
  for (const { file, text } of docs) {
    for (const snippet of codeSnippets(text)) {
      for (const words of statements(snippet)) {
        words.forEach((word, i) => {
          const sub = words[i + 1] ?? '';
          if (word !== 'goplot' || (i > 0 && words[i - 1].startsWith('-'))) return;
          if (!/^[a-z][a-z-]*(\|[a-z][a-z-]*)*$/.test(sub)) return;
          const rest = words.slice(i + 2);
          uses.push({ file, subs: sub.split('|'), next: rest[0] ?? '', options: optionsIn(rest), shown: snippet });
        });
      }
    }
  }
  return uses;
}

function optionsIn(words: string[]): string[] {
  return words.flatMap((word) => /^\[?(--[a-z][a-z0-9-]*)/.exec(word)?.[1] ?? []);
}

/** What `goplot SUB --help` says, and for `job` what each of its own subcommands' help says too. */
async function goplotHelps(): Promise<Map<string, string>> {
  const cli = 'scripts/goplot-cli.js';
  const helps = new Map<string, string>();
  for (const sub of commandNames(await helpText([cli, '--help']))) {
    let help = await helpText([cli, sub, '--help']);
    for (const inner of commandNames(help)) help += await helpText([cli, sub, inner, '--help']);
    helps.set(sub, help);
  }
  return helps;
}

describe('README.md and docs/', () => {
  it('README.md is under 200 lines', () => {
    const lines = fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    assert.ok(lines < 200, `README.md has ${lines} lines`);
  });

  it('every relative link resolves to a file of the repository, and its anchor to a heading there', () => {
    const broken: string[] = [];
    for (const { file, text } of docs) {
      if (text.includes('shared/DESIGN.md'))
        broken.push(`${file}: names shared/DESIGN.md, which a clone does not have`);
      for (const target of linkTargets(text)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [relative, anchor] = target.split('#');
        const resolved =
          relative === '' ? path.join(PACKAGE_ROOT, file) : path.resolve(PACKAGE_ROOT, path.dirname(file), relative);
        if (path.relative(PACKAGE_ROOT, resolved).startsWith('..'))
          broken.push(`${file}: ${target} is outside the repository`);
        else if (!fs.existsSync(resolved)) broken.push(`${file}: ${target} does not exist`);
        else if (anchor && !headingAnchors(fs.readFileSync(resolved, 'utf8')).has(anchor))
          broken.push(`${file}: ${target} names no heading of ${path.relative(PACKAGE_ROOT, resolved)}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('every goplot subcommand shown exists, with the options shown', async () => {
    const helps = await goplotHelps();
    const wrong: string[] = [];
    const uses = goplotUses();
    assert.ok(uses.length > 50, `only ${uses.length} goplot commands found in the docs`);
    for (const use of uses) {
      for (const sub of use.subs) {
        const help = helps.get(sub);
        if (help === undefined) wrong.push(`${use.file}: \`${use.shown}\`: goplot has no command ${sub}`);
        else if (sub === 'job' && use.next !== '' && !/[A-Z]/.test(use.next)) {
          const inner = use.next.split('|').filter((name) => !commandNames(help).includes(name));
          if (inner.length > 0)
            wrong.push(`${use.file}: \`${use.shown}\`: goplot job has no command ${inner.join(', ')}`);
        }
        for (const option of use.options) {
          if (help !== undefined && !GLOBAL_OPTIONS.includes(option) && !new RegExp(`${option}\\b`).test(help))
            wrong.push(`${use.file}: \`${use.shown}\`: goplot ${sub} has no option ${option}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('every entry script and npm script shown exists, with the options shown', async () => {
    const wrong: string[] = [];
    const helps = new Map<string, string>();
    const checkOptions = async (file: string, script: string, options: string[], shown: string) => {
      if (options.length === 0) return;
      if (!helps.has(script)) helps.set(script, await helpText([script, '--help']));
      for (const option of options) {
        if (option !== '--help' && !new RegExp(`${option}\\b`).test(helps.get(script)!))
          wrong.push(`${file}: \`${shown}\`: ${script} has no option ${option}`);
      }
    };
    for (const { file, text } of docs) {
      for (const match of text.matchAll(/\b((?:scripts|collectors)\/[\w-]+)\.js\b/g)) {
        if (!fs.existsSync(path.join(PACKAGE_ROOT, `${match[1]}.ts`)))
          wrong.push(`${file}: ${match[0]} does not exist`);
      }
      for (const snippet of codeSnippets(text)) {
        for (const words of statements(snippet)) {
          const at = words.findIndex((word) => /(^|\/)node$/.test(word));
          const script = /((?:scripts|collectors)\/[\w-]+\.js)$/.exec(words[at + 1] ?? '')?.[1];
          if (at >= 0 && script && fs.existsSync(path.join(PACKAGE_ROOT, script)))
            await checkOptions(file, script, optionsIn(words.slice(at + 2)), snippet);
          const run = words.indexOf('run');
          if (words[run - 1] !== 'npm' || run < 0) continue;
          const name = words[run + 1];
          if (!(name in packageJson.scripts)) wrong.push(`${file}: \`${snippet}\`: package.json has no script ${name}`);
          if (NPM_RUN_ENTRIES[name])
            await checkOptions(file, NPM_RUN_ENTRIES[name], optionsIn(words.slice(run + 2)), snippet);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('the packed package ships README.md and every file of docs/', async () => {
    const packed = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_ROOT });
    const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0].files.map((entry) => entry.path);
    const missing = docs.map((doc) => doc.file).filter((file) => !files.includes(file));
    assert.deepEqual(missing, []);
  });

  it('marks the blocks a farmer copies for the run below: set-up, demo, a job, an archive target, a replot recipe', () => {
    assert.deepEqual([...testedBlocks(docs).keys()].sort(), ['archive', 'demo', 'job', 'replot', 'setup']);
  });
});

/**
 * A copy of the checkout as a fresh clone has it (tracked and new files, no build, no home files),
 * with node_modules copied in as npm's cache would give them, so `npm install` needs no network.
 */
async function copyCheckout(clone: string): Promise<void> {
  const listed = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: PACKAGE_ROOT,
  });
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const from = path.join(PACKAGE_ROOT, file);
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    fs.copyFileSync(from, path.join(clone, file));
  }
  // node_modules may be a link to a shared install: copy what it holds, never the link, which npm would write through
  fs.mkdirSync(path.join(clone, 'node_modules'));
  await execa('cp', [
    '-a',
    `${fs.realpathSync(path.join(PACKAGE_ROOT, 'node_modules'))}/.`,
    path.join(clone, 'node_modules'),
  ]);
}

/** Ends every process of a block's group, even one it left behind. */
function killGroup(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(-pid, 'SIGKILL');
  } catch {
    // the group has ended already
  }
}

describe('the commands a farmer copies, run as shown in a fresh copy of the checkout', () => {
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-doc-commands-')));
  const clone = path.join(work, 'goplot-ts');
  const prefix = path.join(work, 'npm-prefix');
  const { GOPLOT_HOME: _ignored, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    HOME: path.join(work, 'user-home'),
    TMPDIR: path.join(work, 'tmp'),
    PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}`,
    // npm link's global folder is this test's own; npm asks the registry nothing it need not
    npm_config_prefix: prefix,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  const blocks = testedBlocks(docs);
  const setValue = (name: string, value: string) =>
    fs.writeFileSync(path.join(clone, 'config', `${name}.goplot`), `${value}\n`);
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  async function runBlock(name: string, timeoutMs: number) {
    const block = blocks.get(name);
    assert.ok(block, `no block marked <!-- doc-test: ${name} -->`);
    const child = execa('bash', ['-e', '-o', 'pipefail', '-c', block.script], {
      cwd: clone,
      env,
      extendEnv: false,
      detached: true,
      reject: false,
      all: true,
    });
    const timer = setTimeout(() => killGroup(child.pid), timeoutMs);
    try {
      const result = await child;
      assert.equal(result.exitCode, 0, `${block.file}, block ${name}:\n${block.script}\n${result.all}`);
      return result;
    } finally {
      clearTimeout(timer);
      killGroup(child.pid);
    }
  }

  it(
    'set-up: npm install builds, npm link puts goplot on the PATH with the checkout as its home',
    { timeout: 900_000 },
    async () => {
      for (const dir of [clone, env.HOME!, env.TMPDIR!]) fs.mkdirSync(dir, { recursive: true });
      await copyCheckout(clone);
      await runBlock('setup', 840_000);
      assert.ok(fs.existsSync(path.join(clone, 'scripts', 'goplot-cli.js')), 'npm install built the scripts');
      const version = (JSON.parse(fs.readFileSync(path.join(clone, 'package.json'), 'utf8')) as { version: string })
        .version;
      const onPath = await execa('goplot', ['--version'], { cwd: work, env, extendEnv: false });
      assert.equal(onPath.stdout, `goplot-ts ${version}`);
      const status = await execa('goplot', ['status'], { cwd: work, env, extendEnv: false });
      assert.match(status.stdout, new RegExp(`^goplot home: ${clone}$`, 'm'));
      const npx = await execa('npx', ['goplot', '--version'], { cwd: clone, env, extendEnv: false });
      assert.equal(npx.stdout, `goplot-ts ${version}`);
    },
  );

  it('demo: npm run demo plots in a sandbox and sums up', { timeout: 360_000 }, async () => {
    const demo = await runBlock('demo', 300_000);
    const made = /^summary: (\d+) plots made, 0 failed$/m.exec(demo.stdout);
    assert.ok(made && Number(made[1]) > 0, demo.stdout);
  });

  it(
    'a job: the worked example makes two jobs with their own values and pauses one',
    { timeout: 240_000 },
    async () => {
      const run = await runBlock('job', 180_000);
      const jobValue = (job: string, name: string) =>
        fs.readFileSync(path.join(clone, 'config', 'jobs', job, `${name}.goplot`), 'utf8').trim();
      assert.deepEqual(
        ['plotter', 'compression', 'temp_root', 'temp2_dir', 'dest_farms', 'max_plots'].map((name) =>
          jobValue('bb', name),
        ),
        ['bladebit-disk', '5', '/mnt/nvme1', '/mnt/ram', 'farm1', '1'],
      );
      assert.deepEqual(
        ['plotter', 'temp_root', 'dest_farms', 'max_plots', 'plot_gap', 'on_toggle'].map((name) =>
          jobValue('chiapos', name),
        ),
        ['chia', '/mnt/nvme2', 'farm2', '3', '2700', 'off'],
      );
      assert.match(run.stdout, /^bb +run +bladebit-disk\b.* \/mnt\/nvme1 +farm1\b/m);
      assert.match(run.stdout, /^chiapos +run +chia\b.* \/mnt\/nvme2 +farm2\b/m);
    },
  );

  it(
    'an archive target: the local target moves a finished plot from the staging SSD to a farm disk',
    { timeout: 240_000 },
    async () => {
      const farm = path.join(work, 'farm-archive');
      fs.mkdirSync(path.join(farm, 'staging', 'nvme1', 'logs'), { recursive: true });
      const disk = makeTargetDisk(farm, 'farm1', 'disk1');
      const plot = makePlot(path.join(farm, 'staging', 'nvme1', 'plots'), 256 * 1024);
      fs.mkdirSync(path.join(work, 'prom'));
      setValue('farm_root', farm);
      setValue('require_mount', 'no');
      setValue('prom_dir', path.join(work, 'prom'));
      await runBlock('archive', 180_000);
      assert.deepEqual(plotFiles(disk), [plot.name]);
      assert.ok(fs.readFileSync(path.join(disk, plot.name)).equals(plot.bytes));
      assert.equal(fs.existsSync(plot.file), false);
      assert.match(fs.readFileSync(path.join(clone, 'logs', 'archiver.log'), 'utf8'), new RegExp(plot.name));
    },
  );

  it(
    'a replot recipe: its dry run names the uncompressed plot and not the C5 one, then replot is on',
    { timeout: 240_000 },
    async () => {
      const plots = path.join(work, 'farm-replot', 'farm1', 'disk1', 'plots');
      fs.mkdirSync(path.join(plots, '..', 'logs'), { recursive: true });
      const old = path.basename(writePlotFile(plots, { sizeBytes: 108_000_000_000 }));
      const c5 = path.basename(writePlotFile(plots, { sizeBytes: 87_000_000_000, compression: 5, kind: 'pool' }));
      setValue('farm_root', path.join(work, 'farm-replot'));
      const run = await runBlock('replot', 180_000);
      assert.match(run.stdout, /^farm1\/disk1: 1 old plot would go\b/m);
      assert.ok(run.stdout.includes(old), run.stdout);
      // the C5 plot is never among the plots that would go; the dry run may name it as left alone
      assert.ok(!new RegExp(`^ +\\d+\\. ${c5}`, 'm').test(run.stdout), run.stdout);
      assert.equal(fs.readFileSync(path.join(clone, 'config', 'replot.goplot'), 'utf8').trim(), 'on');
    },
  );
});
