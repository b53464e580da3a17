import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from './temp-home.js';
import { errorMessage } from '../../lib/util/error-message.js';

/** The Debian packages' paths (CI installs them); PROMETHEUS / NODE_EXPORTER point elsewhere. */
export const PROMETHEUS_BIN = process.env.PROMETHEUS || '/usr/bin/prometheus';
export const NODE_EXPORTER_BIN = process.env.NODE_EXPORTER || '/usr/bin/prometheus-node-exporter';

/** Why the end-to-end test cannot run here, or null. A missing binary fails the test: it is the point. */
export function missingBinaries(): string | null {
  const missing = [PROMETHEUS_BIN, NODE_EXPORTER_BIN].filter((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return null;
  return (
    `${missing.join(' and ')} not found: install the Debian packages prometheus and prometheus-node-exporter ` +
    '(apt-get install -y prometheus prometheus-node-exporter), or set PROMETHEUS / NODE_EXPORTER to the binaries'
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A server child process on 127.0.0.1, with the tail of its output for failure messages. */
export interface Server {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>;
}

function startServer(what: string, command: string, args: string[], url: string): Server {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('error', (error) => keep(Buffer.from(`${what}: ${error.message}\n`)));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitReady(server: Server, what: string, ready: () => Promise<boolean>, ms: number): Promise<void> {
  try {
    await waitFor(
      `${what} at ${server.url}`,
      async () => {
        if (server.child.exitCode !== null)
          throw new Error(`${what} exited with code ${server.child.exitCode}: ${server.output()}`);
        return ready();
      },
      ms,
      100,
    );
  } catch (error) {
    await server.stop();
    throw new Error(`${errorMessage(error)}\n${what} said: ${server.output()}`);
  }
}

/**
 * node_exporter with the two collectors the dashboard reads (textfile and loadavg) and no
 * others: the hardware collectors fail or are slow in containers and have nothing to say here.
 */
export async function startNodeExporter(textfileDir: string): Promise<Server> {
  const port = await freePort();
  const server = startServer(
    'node_exporter',
    NODE_EXPORTER_BIN,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.disable-defaults',
      '--collector.textfile',
      '--collector.loadavg',
      `--collector.textfile.directory=${textfileDir}`,
      '--log.level=warn',
    ],
    `http://127.0.0.1:${port}`,
  );
  await waitReady(
    server,
    'node_exporter',
    async () => (await fetch(`${server.url}/metrics`).catch(() => null))?.ok ?? false,
    15_000,
  );
  return server;
}

export interface PrometheusServer extends Server {
  query(expr: string): Promise<QueryAnswer>;
  /** The loaded alerting rules as /api/v1/rules reports them. */
  alertRules(): Promise<LoadedRule[]>;
}

export interface LoadedRule {
  name: string;
  query: string;
  /** `ok` once evaluated without error, `unknown` before the first evaluation, `err` with lastError. */
  health: string;
  lastError?: string;
  state: string;
}

export interface PrometheusOptions {
  scrapeSeconds?: number;
  /** Rule files to load (absolute paths or globs), evaluated every scrapeSeconds. */
  ruleFiles?: string[];
  /** Target labels, as prometheus.yml's static_configs give them (e.g. role). */
  labels?: Record<string, string>;
  jobName?: string;
}

export interface QuerySeries {
  metric: Record<string, string>;
  value?: [number, string];
}

export type QueryAnswer =
  { status: 'success'; resultType: string; result: QuerySeries[] } | { status: 'error'; error: string };

/** Prometheus scraping `targets` every `scrapeSeconds`, its data in `dir` (removed by the caller). */
export async function startPrometheus(
  dir: string,
  targets: string[],
  options: PrometheusOptions = {},
): Promise<PrometheusServer> {
  const scrapeSeconds = options.scrapeSeconds ?? 1;
  return startPrometheusWithConfig(
    dir,
    [
      'global:',
      `  scrape_interval: ${scrapeSeconds}s`,
      `  scrape_timeout: ${scrapeSeconds}s`,
      `  evaluation_interval: ${scrapeSeconds}s`,
      ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((file) => `  - '${file}'`)] : []),
      'scrape_configs:',
      `  - job_name: ${options.jobName ?? 'node'}`,
      '    static_configs:',
      `      - targets: [${targets.map((target) => `'${target}'`).join(', ')}]`,
      ...(options.labels
        ? ['        labels:', ...Object.entries(options.labels).map(([name, value]) => `          ${name}: '${value}'`)]
        : []),
      '',
    ].join('\n'),
  );
}

/** Prometheus with this prometheus.yml text, its data in `dir` (removed by the caller). */
export async function startPrometheusWithConfig(dir: string, config: string): Promise<PrometheusServer> {
  const port = await freePort();
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(configFile, config);
  const server = startServer(
    'prometheus',
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    `http://127.0.0.1:${port}`,
  );
  await waitReady(
    server,
    'prometheus',
    async () => (await fetch(`${server.url}/-/ready`).catch(() => null))?.ok ?? false,
    30_000,
  );
  return {
    ...server,
    async query(expr) {
      const answer = await fetch(`${server.url}/api/v1/query?${new URLSearchParams({ query: expr })}`, {
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await answer.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: QuerySeries[] };
      };
      if (body.status !== 'success' || !body.data)
        return { status: 'error', error: body.error ?? `HTTP ${answer.status}` };
      return { status: 'success', resultType: body.data.resultType, result: body.data.result };
    },
    async alertRules() {
      const answer = await fetch(`${server.url}/api/v1/rules?type=alert`, { signal: AbortSignal.timeout(10_000) });
      const body = (await answer.json()) as { data?: { groups: { rules: LoadedRule[] }[] } };
      return (body.data?.groups ?? []).flatMap((group) => group.rules);
    },
  };
}
