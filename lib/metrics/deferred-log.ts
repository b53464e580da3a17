import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from '../config/home.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

export type LogLevel = 'info' | 'warn' | 'error';

/**
 * A run's log lines, held until the run ends: the logging library (pino, and lib/util/logger.ts's
 * line format) is loaded only when there is a line to write, so a quiet cron run stays quick.
 *
 * A cron job has no memory between runs, so lines that would repeat every minute while a
 * condition lasts (chia missing, prom_dir missing, a value file missing or invalid) go through
 * addOnce: `logs/<name>.said` keeps what the last run said that way, and a line it holds is not
 * said again until a run goes without it (the condition ended) and it comes back.
 */
export class DeferredLog {
  private readonly lines: { level: LogLevel; message: string }[] = [];
  private readonly saidNow = new Set<string>();
  private saidBefore: Set<string> | null = null;

  constructor(
    private readonly paths: HomePaths,
    private readonly name: string,
    private readonly file = 'collectors.log',
  ) {}

  add(level: LogLevel, message: string): void {
    this.lines.push({ level, message });
  }

  /** Said only when the last run did not say it too. */
  addOnce(level: LogLevel, message: string): void {
    const line = message.replace(/\r?\n/g, ' | ');
    if (this.saidNow.has(line)) return;
    this.saidNow.add(line);
    if (!this.readSaidBefore().has(line)) this.add(level, line);
  }

  async flush(): Promise<void> {
    this.rememberSaid();
    if (this.lines.length === 0) return;
    const { createLogger } = await import('../util/logger.js');
    const logger = createLogger(this.paths, this.name, this.file);
    for (const line of this.lines.splice(0)) logger[line.level](line.message);
  }

  private saidFile(): string {
    return path.join(this.paths.logsDir, `${this.name}.said`);
  }

  private readSaidBefore(): Set<string> {
    if (this.saidBefore === null) {
      try {
        this.saidBefore = new Set(fs.readFileSync(this.saidFile(), 'utf8').split('\n').filter(Boolean));
      } catch {
        this.saidBefore = new Set();
      }
    }
    return this.saidBefore;
  }

  /** Written only when it changes, so a quiet run writes nothing; a memory that cannot be kept means lines repeat, no worse. */
  private rememberSaid(): void {
    const before = this.readSaidBefore();
    if (before.size === this.saidNow.size && [...before].every((line) => this.saidNow.has(line))) return;
    try {
      if (this.saidNow.size === 0) {
        fs.rmSync(this.saidFile(), { force: true });
      } else {
        fs.mkdirSync(this.paths.logsDir, { recursive: true });
        writeFileAtomicSync(this.saidFile(), `${[...this.saidNow].join('\n')}\n`);
      }
      this.saidBefore = new Set(this.saidNow);
    } catch {
      // the lines still go to the log below
    }
  }
}
