import type { HomePaths } from '../config/home.js';
import { ConfigReader } from '../config/config-reader.js';
import { createLogger } from '../util/logger.js';
import { describePlot, describeRequester, findRunningPlot, killPlot } from './plot-control.js';
import { signalTree } from './plot-processes.js';

export type ActResult = { ok: true; message: string } | { ok: false; message: string };

/** Kill on request, as `goplot kill` and the view's x key do it; `where` says which of them in the log. */
export async function killOnRequest(
  paths: HomePaths,
  env: NodeJS.ProcessEnv,
  index: number,
  where: string,
): Promise<ActResult> {
  const found = findRunningPlot(new ConfigReader(paths, () => {}, env), index);
  if (!found.ok) return found;
  const what = describePlot(found.plot);
  const by = `${describeRequester(env)} with ${where}`;
  const log = createLogger(paths, 'goplot-kill');
  log.info(`${what} killed on request by ${by}`);
  const result = await killPlot(paths, found.plot, by);
  for (const line of result.lines) log.warn(line);
  const files = `${result.removed.length} temporary file${result.removed.length === 1 ? '' : 's'}`;
  log.info(
    `plot ${index}: removed ${files}${result.released ? ', released its disk reservation' : ''}; not counted as a failure`,
  );
  return {
    ok: true,
    message: `killed ${what}; removed ${files}${result.released ? '; its disk reservation is released' : ''}`,
  };
}

/** SIGSTOP or SIGCONT on the plot's process tree, logged with who asked. */
export function suspendOrResume(
  paths: HomePaths,
  env: NodeJS.ProcessEnv,
  index: number,
  suspend: boolean,
  where: string,
): ActResult {
  const found = findRunningPlot(new ConfigReader(paths, () => {}, env), index);
  if (!found.ok) return found;
  const signalled = signalTree(found.plot.pid, suspend ? 'SIGSTOP' : 'SIGCONT');
  const what = describePlot(found.plot);
  const processes = `${signalled.length} process${signalled.length === 1 ? '' : 'es'}`;
  createLogger(paths, `goplot-${suspend ? 'suspend' : 'resume'}`).info(
    `${what} ${suspend ? 'suspended' : 'resumed'} by ${describeRequester(env)} with ${where} (${processes})`,
  );
  return {
    ok: true,
    message: suspend
      ? `suspended ${what}: it keeps its temp space and disk reservation; goplot resume ${index} goes on`
      : `resumed ${what}`,
  };
}
