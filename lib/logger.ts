import fs from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { HomePaths } from './home.js';

export type { Logger } from 'pino';

/**
 * One human line per event, appended with O_APPEND and one write per line, so the loop,
 * tractors and diskhand can share goplot.log without interleaving (`tail -f` stays readable).
 */
export function createLogger(paths: HomePaths, name: string, file = 'goplot.log'): Logger {
  fs.mkdirSync(paths.logsDir, { recursive: true });
  const destination = pino.destination({ dest: path.join(paths.logsDir, file), sync: true, append: true, mkdir: true });
  const stream = pretty({
    colorize: false,
    sync: true,
    singleLine: true,
    destination,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
    ignore: 'pid,hostname,name',
    messageFormat: '{name}[{pid}] {msg}',
  });
  return pino({ name, base: { pid: process.pid }, level: process.env.GOPLOT_LOG_LEVEL ?? 'info' }, stream);
}

/** Adapts a logger to the ConfigReader's sink. */
export function configLogSink(logger: Logger) {
  return (level: 'info' | 'warn', message: string) => logger[level](message);
}
