import { ConfigReader } from '../config/config-reader.js';
import type { CommandIo } from '../config/command-io.js';
import { formatMigration } from './format-migration.js';
import { readMigration } from './read-migration.js';

/** `goplot migrate [--json] [--now ISO]`: the pos1 phase-out race for this farm. */
export async function migrateCommand(io: CommandIo, options: { json: boolean; now?: string }): Promise<number> {
  let nowMs = io.now();
  if (options.now !== undefined) {
    nowMs = Date.parse(options.now);
    if (!Number.isFinite(nowMs)) {
      io.err(
        `goplot migrate: --now ${JSON.stringify(options.now)} is not a time (use an ISO time, e.g. 2026-12-06T12:00:00Z)`,
      );
      return 2;
    }
  }
  const config = new ConfigReader(
    io.paths,
    (level, message) => {
      if (level === 'warn') io.err(`goplot migrate: ${message}`);
    },
    io.env,
  );
  // chia itself, not getfarm.prom: a farmer running this by hand wants the live height, and --now
  // may be another time that no file's age can be measured against
  const { height, plan } = await readMigration(config, io.env, nowMs);
  if (plan === null) {
    io.err(
      `goplot migrate: the chain height is unknown (${height.problems.join('; ')}); on a host with no chia node, set it: goplot set chain_height HEIGHT`,
    );
    return 1;
  }
  io.out(options.json ? JSON.stringify({ height, plan }, null, 2) : formatMigration(plan, height));
  return 0;
}
