import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from './error-message.js';

/**
 * What the scripts log through: one message per call. pino's loggers fit it too (tests pass
 * theirs); the scripts' own is written here, since pino cost every cron run's start-up more than
 * all of diskhand's own modules, only to make JSON this file turned back into a line.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  fatal(message: string): void;
}

const LEVEL_NUMBERS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const OWN_FIELDS = new Set(['time', 'level', 'name', 'pid', 'hostname', 'msg']);

function localTime(ms: number): string {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** pino's JSON record as one human line: `[2026-11-23 16:26:20] INFO: tractor[2321] plot 5 started`. */
export function formatLogLine(json: string): string {
  const record = JSON.parse(json) as Record<string, unknown> & {
    time: number;
    level: number;
    name?: string;
    pid?: number;
    msg?: string;
  };
  const extra = Object.fromEntries(Object.entries(record).filter(([key]) => !OWN_FIELDS.has(key)));
  const fields = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
  return `${formatLine(record.time, record.level, record.name ?? '', record.pid ?? '', String(record.msg ?? ''))}${fields}\n`;
}

/** One event as its line, without the newline: a message over several lines stays on one. */
function formatLine(time: number, level: number, name: string, pid: number | string, message: string): string {
  const oneLine = message.replace(/\r?\n/g, ' | ');
  return `[${localTime(time)}] ${LEVEL_NAMES[level] ?? level}: ${name}[${pid}] ${oneLine}`;
}

/**
 * The log file opened for appending, or null (said once on stderr, where the lines then go) when
 * it is not a regular file. A FIFO put there would block open(2) until a reader came, leaving
 * the loop hung and deaf to SIGTERM: O_NONBLOCK makes that open fail (ENXIO) or return at once,
 * and fstat tells the type of what was really opened, with no window between check and open.
 */
function openLogFileOnce(file: string): number | null {
  let problem: string;
  try {
    const fd = fs.openSync(
      file,
      fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NONBLOCK,
      0o644,
    );
    if (fs.fstatSync(fd).isFile()) return fd;
    fs.closeSync(fd);
    problem = 'it is not a regular file (a FIFO, device or socket)';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem = code === 'ENXIO' ? 'it is not a regular file (a FIFO, device or socket)' : errorMessage(error);
  }
  try {
    process.stderr.write(`goplot: cannot log to ${file}: ${problem}; log lines go to stderr instead\n`);
  } catch {
    // nowhere left to say it
  }
  return null;
}

/**
 * One descriptor per log file for the life of the process: the suite runs diskhand and the
 * collectors in its own process every minute, and a descriptor per run would leak (a log that
 * cannot be opened is said once, not once a run).
 */
const openLogFiles = new Map<string, number | null>();

function openLogFile(file: string): number | null {
  if (!openLogFiles.has(file)) openLogFiles.set(file, openLogFileOnce(file));
  return openLogFiles.get(file)!;
}

/**
 * One human line per event, appended with O_APPEND and one write(2) per line, so the loop,
 * tractors and diskhand can share goplot.log without interleaving (`tail -f` stays readable).
 * The line is formatted here rather than by pino-pretty, whose start-up cost the tractor more
 * than this format is worth (see the dependency table in docs/development.md).
 */
export function createLogger(paths: { logsDir: string }, name: string, file = 'goplot.log'): Logger {
  fs.mkdirSync(paths.logsDir, { recursive: true });
  const fd = openLogFile(path.join(paths.logsDir, file));
  const threshold = LEVEL_NUMBERS[process.env.GOPLOT_LOG_LEVEL ?? 'info'] ?? LEVEL_NUMBERS.info!;
  const write = (level: number, message: string) => {
    if (level < threshold) return;
    const line = `${formatLine(Date.now(), level, name, process.pid, message)}\n`;
    try {
      if (fd === null) throw new Error('no log file');
      fs.writeSync(fd, line);
    } catch {
      // a full or failing disk must not turn a log line into a crash: stderr is the last resort
      try {
        process.stderr.write(line);
      } catch {
        // nowhere left to say it
      }
    }
  };
  return {
    debug: (message) => write(20, message),
    info: (message) => write(30, message),
    warn: (message) => write(40, message),
    error: (message) => write(50, message),
    fatal: (message) => write(60, message),
  };
}

/** Adapts a logger to the ConfigReader's sink. */
export function configLogSink(logger: Logger) {
  return (level: 'info' | 'warn', message: string) => logger[level](message);
}
