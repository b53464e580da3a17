import type { HeaderCache } from '../plot-file/header-cache.js';
import { listReplotCandidates, replotCreditKiB } from './replot-candidates.js';
import { rulesForFarm, type RuleInForce } from './rules-in-force.js';

// Apart from rules-in-force: diskhand asks which rules are in force on every run, and loads this
// (the candidates, the plot file readers) only when some are.

/**
 * The room replot can make on a disk for one more plot: the most that any rule in force there
 * frees (one plotter's plot goes by one rule; the others' plots go elsewhere or wait).
 */
export function bestReplotCreditKiB(
  rules: readonly RuleInForce[],
  disk: { farm: string; plotsDir: string },
  plotsInto: number,
  headers: HeaderCache,
): number {
  let best = 0;
  for (const { rule } of rulesForFarm(rules, disk.farm))
    best = Math.max(best, replotCreditKiB(listReplotCandidates(disk.plotsDir, rule, headers)));
  return best;
}
