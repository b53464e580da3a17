import path from 'node:path';
import { createRequire } from 'node:module';
import type { isValid as IsValid } from 'date-fns/isValid';
import type { parseISO as ParseISO } from 'date-fns/parseISO';
import { analyzePlotLogs } from './analyze-plot-logs.js';
import { formatAnalysis } from './format-analysis.js';
import { ConfigReader } from '../config/config-reader.js';
import { readHomeRunningPlots } from '../farm/plot-scope.js';
import type { CommandIo } from '../config/command-io.js';

export interface AnalyzeCommandOptions {
  paths: string[];
  since?: string;
  json: boolean;
}

/** ISO 8601; a bare `2026-11-01` is local midnight, as a farmer means it (date-fns's parseISO does that). */
export function parseSince(text: string): Date | null {
  // required only for a --since: every other analyze run loads none of date-fns
  const require = createRequire(import.meta.url);
  const { parseISO } = require('date-fns/parseISO') as { parseISO: typeof ParseISO };
  const { isValid } = require('date-fns/isValid') as { isValid: typeof IsValid };
  const date = parseISO(text);
  return isValid(date) ? date : null;
}

export function analyzeCommand(io: CommandIo, options: AnalyzeCommandOptions): number {
  const since = options.since === undefined ? undefined : parseSince(options.since);
  if (since === null) {
    io.err(`goplot analyze: --since ${JSON.stringify(options.since)} is not a date (use YYYY-MM-DD or an ISO time)`);
    return 2;
  }
  const config = new ConfigReader(io.paths, () => {}, io.env);
  const farmRoot = config.get('farm_root');
  const openLogs = new Set(
    readHomeRunningPlots(config)
      .map((plot) => plot.logFile)
      .filter((file): file is string => file !== null),
  );
  const result = analyzePlotLogs({
    farmRoot,
    logFiles: options.paths.map((file) => path.resolve(file)),
    since,
    now: io.now,
    isLogOpen: (file) => openLogs.has(file),
  });
  io.out(options.json ? JSON.stringify(result, null, 2) : formatAnalysis(result));
  return 0;
}
