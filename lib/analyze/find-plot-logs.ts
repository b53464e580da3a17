// Finds plot logs: `<farm_root>/<farm>/<disk>/logs/plot.<n>.log`, plus files or folders named by the user.
import fs from 'node:fs';
import path from 'node:path';
import { listDisks, listFarms } from '../farm/farm-layout.js';

export interface FoundPlotLog {
  file: string;
  /** From the farm layout (`<farm_root>/<farm>/<disk>/logs/`), null for logs elsewhere. */
  farm: string | null;
  disk: string | null;
  /** n of `plot.<n>.log` (goplot's plot index), null for other names. */
  index: number | null;
  /** Milliseconds since the epoch of the last write. */
  modifiedMs: number;
}

export interface FoundPlotLogs {
  logs: FoundPlotLog[];
  /** Paths that could not be read, each said once; the rest are still analysed. */
  problems: string[];
}

export interface FindPlotLogsOptions {
  farmRoot: string;
  /** Extra log files, or folders whose *.log / *.txt files are read (not recursively). */
  paths?: string[];
  /** Scan the farm layout too (default true). */
  scanFarm?: boolean;
}

const GOPLOT_LOG = /^plot\.(\d+)\.log$/;
/** Plotman and Swar write *.log; the chia GUI writes plotter_log_<uuid>.txt. */
const ANY_LOG = /\.(?:log|txt)$/;

function reason(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : String(error);
}

function placeInFarm(farmRoot: string, file: string): { farm: string | null; disk: string | null } {
  const relative = path.relative(path.resolve(farmRoot), path.resolve(file)).split(path.sep);
  if (relative.length === 4 && relative[0] !== '..' && relative[2] === 'logs')
    return { farm: relative[0], disk: relative[1] };
  return { farm: null, disk: null };
}

export function findPlotLogs(options: FindPlotLogsOptions): FoundPlotLogs {
  const problems: string[] = [];
  const seen = new Map<string, FoundPlotLog>();

  const add = (file: string) => {
    const resolved = path.resolve(file);
    if (seen.has(resolved)) return;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch (error) {
      problems.push(`cannot read plot log ${resolved}: ${reason(error)}; left out`);
      return;
    }
    if (!stat.isFile()) return;
    const match = GOPLOT_LOG.exec(path.basename(resolved));
    const index = match ? Number(match[1]) : null;
    seen.set(resolved, { file: resolved, ...placeInFarm(options.farmRoot, resolved), index, modifiedMs: stat.mtimeMs });
  };

  const addDir = (dir: string, pattern: RegExp) => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (error) {
      problems.push(`cannot list ${dir}: ${reason(error)}; its logs are left out`);
      return;
    }
    for (const name of names) if (pattern.test(name)) add(path.join(dir, name));
  };

  if (options.scanFarm ?? true) {
    if (!fs.existsSync(options.farmRoot)) {
      problems.push(`farm_root ${options.farmRoot} does not exist; no farm logs read`);
    } else {
      for (const farm of listFarms(options.farmRoot)) {
        for (const disk of listDisks(options.farmRoot, farm)) {
          if (fs.existsSync(disk.logsDir)) addDir(disk.logsDir, GOPLOT_LOG);
        }
      }
    }
  }
  for (const given of options.paths ?? []) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(given);
    } catch (error) {
      problems.push(`cannot read ${given}: ${reason(error)}; left out`);
      continue;
    }
    if (stat.isDirectory()) addDir(given, ANY_LOG);
    else add(given);
  }
  return { logs: [...seen.values()], problems };
}
