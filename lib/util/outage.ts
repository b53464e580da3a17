import fs from 'node:fs';
import path from 'node:path';

export interface OutageLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface OutageTracker {
  /** Records a failure; says so only when this is the first failure of an outage. */
  failed(target: string, label: string, why: string, consequence: string): void;
  /** Records a success; says so only when it ends an outage. */
  succeeded(target: string, label: string): void;
}

/**
 * "Once per outage" across processes: tractors live one plot and cron scripts one run, so the
 * outage is a marker file in `stateDir`. Creating it with O_EXCL (and removing it) is atomic,
 * so of several processes failing together exactly one says it.
 */
export function createOutageTracker(stateDir: string, log: OutageLog): OutageTracker {
  const marker = (target: string) => path.join(stateDir, `down.${target}`);
  return {
    failed(target, label, why, consequence) {
      try {
        fs.mkdirSync(stateDir, { recursive: true });
        fs.writeFileSync(marker(target), `${new Date().toISOString()} ${why}\n`, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
        // Without a state dir we cannot remember the outage: saying it again beats hiding it.
      }
      log.warn(`${label}: ${why}; ${consequence} (said once until it answers again)`);
    },
    succeeded(target, label) {
      try {
        fs.unlinkSync(marker(target));
      } catch {
        return;
      }
      log.info(`${label}: answering again`);
    },
  };
}
