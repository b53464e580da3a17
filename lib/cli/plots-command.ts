import { ConfigReader } from '../config/config-reader.js';
import { formatInventory } from './format-inventory.js';
import { readPlotInventory } from '../inventory/scan-farm-plots.js';
import type { CliIo } from './run-command.js';

/**
 * `goplot plots [--json] [--disk FARM/DISK]`: every plot's header facts, per farm and disk. `headers`
 * in the JSON says what the run read: a disk whose plots/ did not change is taken from its summary.
 */
export async function plotsCommand(io: CliIo, options: { json: boolean; disk?: string }): Promise<number> {
  if (options.disk !== undefined && !/^[^/]+\/[^/]+$/.test(options.disk)) {
    io.err(`goplot plots: --disk ${JSON.stringify(options.disk)} is not FARM/DISK (e.g. farm1/disk3)`);
    return 2;
  }
  const config = new ConfigReader(
    io.paths,
    (level, message) => {
      if (level === 'warn') io.err(`goplot plots: ${message}`);
    },
    io.env,
  );
  const { inventory, cache } = await readPlotInventory({ config, disk: options.disk });
  if (options.disk !== undefined && inventory.farms.length === 0) {
    io.err(`goplot plots: --disk ${options.disk}: no such disk under ${config.get('farm_root')}`);
    return 2;
  }
  if (cache.cacheProblem) io.err(`goplot plots: ${cache.cacheProblem}`);
  if (cache.writeError) io.err(`goplot plots: the inventory cache was not saved: ${cache.writeError}`);
  io.out(options.json ? JSON.stringify({ ...inventory, headers: cache }, null, 2) : formatInventory(inventory));
  const unreadable = inventory.farms.flatMap((farm) => farm.disks.flatMap((disk) => disk.unreadable ?? []));
  for (const problem of unreadable) io.err(`goplot plots: ${problem}; its plots are not counted`);
  return unreadable.length > 0 ? 1 : 0;
}
