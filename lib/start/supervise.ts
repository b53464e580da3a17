import { spawn, type ChildProcess } from 'node:child_process';
import { ALREADY_RUNNING, pidFileHolder } from '../farm/pid-file.js';
import type { Logger } from '../util/logger.js';
import { SUPERVISOR_PID_ENV } from './exit-with-parent.js';

/** A restart waits 1 s, then twice as long after each quick crash, up to a minute. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;
/** A child that lived this long was healthy: its next crash starts the delays over. */
const HEALTHY_MS = 60_000;
/**
 * Ctrl-C reaches the children and the parent at once, and a child may exit before the parent
 * has seen its own signal: a polite exit (code 0, SIGTERM, SIGINT, SIGHUP) waits this long for
 * the parent to start stopping before it counts as a crash.
 */
const POLITE_EXIT_GRACE_MS = 500;
const POLITE_SIGNALS = new Set(['SIGTERM', 'SIGINT', 'SIGHUP']);
/** How often the holder of the home is looked at while another instance has it (one /proc read). */
const HOLDER_CHECK_MS = 2000;

export interface Supervised {
  stop(): Promise<void>;
  pid(): number | undefined;
}

export interface SuperviseOptions {
  name: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  log: Logger;
  stop?: AbortSignal;
  /** The script's pid file and the script name its holder runs: while another instance holds it, ours waits. */
  instance: { pidFile: string; marker: string; procDir?: string };
  holderCheckMs?: number;
}

/**
 * Keeps one long-running script alive: a child that crashes is restarted with a growing delay
 * and each crash is logged, so a broken harvesterlog does not spin and does not vanish quietly.
 * A child that exits because the suite is stopping (`stop` aborted, or stop() called) is neither
 * logged as a crash nor restarted. A child that finds the home held by another instance (one an
 * earlier, killed suite left, or one started by hand or by cron) is started again as soon as that
 * instance is gone: the suite never gives up its part, and never runs a second one.
 */
export function superviseScript(options: SuperviseOptions): Supervised {
  const supervisor = new ScriptSupervisor(options);
  supervisor.startChild();
  return supervisor;
}

/** One script's supervision: the running child, the next restart's delay and timer, and the holder it waits for. */
class ScriptSupervisor implements Supervised {
  private readonly name: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly log: Logger;
  private child: ChildProcess | null = null;
  private stopping: boolean;
  private delay = FIRST_DELAY_MS;
  private timer: NodeJS.Timeout | null = null;
  private waitingFor: number | null = null;

  constructor(private readonly options: SuperviseOptions) {
    this.name = options.name;
    this.log = options.log;
    this.env = { ...options.env, [SUPERVISOR_PID_ENV]: String(process.pid) };
    this.stopping = options.stop?.aborted ?? false;
    options.stop?.addEventListener('abort', () => (this.stopping = true), { once: true });
  }

  pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const running = this.child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const killTimer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killTimer);
  }

  startChild(): void {
    this.timer = null;
    if (this.stopping) return;
    const startedAt = Date.now();
    const child = spawn(process.execPath, this.options.argv, {
      env: this.env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.child = child;
    this.log.info(`${this.name} started (pid ${child.pid})`);
    child.once('exit', (code, signal) => {
      const polite = code === 0 || (signal !== null && POLITE_SIGNALS.has(signal));
      if (!polite || this.stopping) {
        this.exited(startedAt, code, signal);
        return;
      }
      this.timer = setTimeout(() => this.exited(startedAt, code, signal), POLITE_EXIT_GRACE_MS);
    });
  }

  /** A stop, a refusal (the home is held), or a crash: only a crash is logged as one and restarted after the delay. */
  private exited(startedAt: number, code: number | null, signal: NodeJS.Signals | null): void {
    this.child = null;
    const how = signal ?? `code ${code}`;
    if (this.stopping) {
      this.log.info(`${this.name} stopped (${how})`);
      return;
    }
    if (code === ALREADY_RUNNING) {
      this.waitForHolder();
      return;
    }
    if (Date.now() - startedAt >= HEALTHY_MS) this.delay = FIRST_DELAY_MS;
    this.log.error(`${this.name} exited (${how}); restarting in ${Math.round(this.delay / 1000)} s`);
    this.timer = setTimeout(() => this.startChild(), this.delay);
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
  }

  /** Looks at the home's holder until it is gone, then starts ours. */
  private waitForHolder(): void {
    this.timer = null;
    if (this.stopping) return;
    const { name, log, options } = this;
    const { instance } = options;
    const holder = pidFileHolder(instance.pidFile, instance);
    if (holder !== null && holder !== this.child?.pid) {
      if (holder !== this.waitingFor) {
        log.warn(
          `${name} waits: another ${name} (pid ${holder}) runs for this home (${instance.pidFile}); ours starts when it stops`,
        );
        this.waitingFor = holder;
      }
      this.timer = setTimeout(() => this.waitForHolder(), options.holderCheckMs ?? HOLDER_CHECK_MS);
      return;
    }
    if (this.waitingFor === null) {
      // refused, yet nobody holds the home by now: whatever it was, never retry in a tight loop
      this.timer = setTimeout(() => this.startChild(), FIRST_DELAY_MS);
      return;
    }
    log.info(`${name}: the other ${name} (pid ${this.waitingFor}) is gone; starting ours`);
    this.waitingFor = null;
    this.startChild();
  }
}
