import { formatConfig, formatConfigMarkdown, listConfig } from './list-config.js';
import type { CommandIo } from '../config/command-io.js';
import path from 'node:path';
import { PACKAGE_ROOT, type HomePaths } from '../config/home.js';
import { initValueFiles, setValue } from '../config/write-value.js';

export type CliIo = CommandIo;

/** `goplot status [--json]`: running plots, the main values and the disk table, once. */
export async function statusCommand(io: CliIo, json: boolean): Promise<number> {
  // the farm's readers load for status only, not for set, init, start and stop
  const [{ readStatus }, { formatStatus }] = await Promise.all([
    import('./read-status.js'),
    import('./format-status.js'),
  ]);
  const status = await readStatus(io.paths, io.env, io.now);
  io.out(json ? JSON.stringify(status, null, 2) : formatStatus(status, io.now()));
  return 0;
}

export function configCommand(io: CliIo, json: boolean, markdown = false): number {
  if (markdown) {
    io.out(formatConfigMarkdown());
    return 0;
  }
  const rows = listConfig(io.paths, io.env);
  io.out(json ? JSON.stringify(rows, null, 2) : formatConfig(rows, io.now()));
  return rows.some((row) => row.error) ? 1 : 0;
}

export function setCommand(io: CliIo, name: string, value: string): number {
  const result = setValue(io.paths, name, value);
  if (!result.ok) {
    io.err(`goplot set: ${result.message}`);
    return 2;
  }
  io.out(`${result.file} = ${result.value === '' ? '(empty)' : result.value}`);
  return 0;
}

export function initCommand(io: CliIo): number {
  const { created, kept } = initValueFiles(io.paths);
  io.out(
    `created ${created.length} value files with their defaults, kept ${kept.length} existing ones, in ${io.paths.configDir}`,
  );
  return 0;
}

/** goplot's on/off switch: the loop reacts within a second; running plots are never stopped. */
export async function toggleCommand(io: CliIo, on: boolean, procDir = '/proc'): Promise<number> {
  const result = setValue(io.paths, 'on_toggle', on ? 'run' : 'off');
  if (!result.ok) {
    io.err(`goplot: ${result.message}`);
    return 2;
  }
  io.out(
    on
      ? 'on_toggle = run: the loop starts plots when the limits allow'
      : 'on_toggle = off: no new plots start; running plots finish',
  );
  if (on) {
    // the process table is read for start only, not loaded by set, init and stop
    const { pidFileHolder } = await import('../farm/pid-file.js');
    if (pidFileHolder(path.join(io.paths.logsDir, 'goplot.pid'), { marker: 'goplot.js', procDir }) === null)
      io.out(noLoopHint(io.paths));
  }
  return 0;
}

/** `on_toggle = run` does nothing without a loop: say so, and how to start one for this home. */
function noLoopHint(paths: HomePaths): string {
  const script = (name: string) => path.join(PACKAGE_ROOT, 'scripts', name);
  return (
    `but no goplot loop runs for ${paths.home}, so nothing will plot until one does. Start the whole suite with:\n` +
    `  node ${script('start.js')} --home ${paths.home}      (or: systemctl start goplot, once installed with goplot install-service)\n` +
    `or only the loop with:\n  node ${script('goplot.js')} --home ${paths.home} &`
  );
}
