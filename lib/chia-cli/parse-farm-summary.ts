import { outputLines, parseChiaNumber, parseSize, parseWholeNumber, readUnreachableService } from './parse-size.js';

/** The plots one harvester heading lists: `Local Harvester` or `Remote Harvester(s) for IP: …`. */
export interface HarvesterGroup {
  location: 'local' | 'remote';
  /** `local` for the local harvesters, else the IP chia printed. */
  host: string;
  /** Harvesters under the heading (several share one IP when the heading is plural). */
  harvesters: number;
  /** Of those, the ones still loading their plots (`Loading plots: 10 / 200`): not in plots/bytes. */
  loading: number;
  plots: number;
  bytes: number;
  /** 2.x prints `…TiB on-disk, …TiBe (effective)`; null when any line of the group has no effective size. */
  effectiveBytes: number | null;
}

/** What `chia farm summary` says, from 1.0 to 2.x. Null means the output did not say it. */
export interface FarmSummary {
  recognized: boolean;
  unreachable: string[];
  /** `Farming`, `Syncing`, `Not synced or not connected to peers`, `Not running`, `Not available`. */
  farmingStatus: string | null;
  farming: boolean | null;
  xchFarmed: number | null;
  plotCount: number | null;
  plotsBytes: number | null;
  plotsEffectiveBytes: number | null;
  netspaceBytes: number | null;
  /** chia rounds down to two units (`1 year and 9 months`); `Now` is 0, `Unknown` and `Never` are null. */
  expectedTimeToWinSeconds: number | null;
  harvesters: HarvesterGroup[];
}

const MINUTES_PER_UNIT: Record<string, number> = {
  // chia's format_minutes: a month is 43800 minutes and a year 12 of them.
  year: 12 * 43_800,
  month: 43_800,
  week: 7 * 1440,
  day: 1440,
  hour: 60,
  minute: 1,
};

export function parseFarmSummary(text: string): FarmSummary {
  const summary: FarmSummary = {
    recognized: false,
    unreachable: [],
    farmingStatus: null,
    farming: null,
    xchFarmed: null,
    plotCount: null,
    plotsBytes: null,
    plotsEffectiveBytes: null,
    netspaceBytes: null,
    expectedTimeToWinSeconds: null,
    harvesters: [],
  };
  let group: HarvesterGroup | null = null;
  for (const line of outputLines(text)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const service = readUnreachableService(trimmed);
    if (service !== null) {
      summary.recognized = true;
      if (!summary.unreachable.includes(service)) summary.unreachable.push(service);
      continue;
    }
    const heading = readHarvesterHeading(trimmed);
    if (heading) {
      summary.recognized = true;
      group = summary.harvesters.find((known) => known.host === heading.host) ?? null;
      if (!group) {
        group = { ...heading, harvesters: 0, loading: 0, plots: 0, bytes: 0, effectiveBytes: 0 };
        summary.harvesters.push(group);
      }
      continue;
    }
    if (group && readHarvesterLine(group, trimmed)) continue;
    group = null;
    const field = /^([A-Za-z][A-Za-z ]*?):\s*(.*)$/.exec(trimmed);
    if (field && readField(summary, field[1]!.toLowerCase(), field[2]!.trim())) summary.recognized = true;
  }
  return summary;
}

function readHarvesterHeading(line: string): Pick<HarvesterGroup, 'location' | 'host'> | null {
  if (/^Local Harvesters?$/.test(line)) return { location: 'local', host: 'local' };
  const remote = /^Remote Harvesters? for IP:\s*(\S+)$/.exec(line);
  return remote ? { location: 'remote', host: remote[1]! } : null;
}

/** `165 plots of size: 16.331 TiB` or `1705 plots of size: 168.751 TiB on-disk, 168.835 TiBe (effective)`. */
function readHarvesterLine(group: HarvesterGroup, line: string): boolean {
  if (/^Loading plots:/.test(line)) {
    group.harvesters += 1;
    group.loading += 1;
    return true;
  }
  const plots = /^(\d+) plots of size:\s*(.+?)(?:\s+on-disk)?(?:,\s*(.+?)\s*\(effective\))?$/.exec(line);
  if (!plots) return false;
  const count = parseWholeNumber(plots[1]!);
  const bytes = parseSize(plots[2]!);
  if (count === null || bytes === null) return false;
  const effective = plots[3] === undefined ? null : parseSize(plots[3]);
  group.harvesters += 1;
  group.plots += count;
  group.bytes += bytes;
  group.effectiveBytes = group.effectiveBytes === null || effective === null ? null : group.effectiveBytes + effective;
  return true;
}

function readField(summary: FarmSummary, name: string, value: string): boolean {
  switch (name) {
    case 'farming status':
      summary.farmingStatus = value;
      summary.farming = value === 'Farming';
      return true;
    case 'total chia farmed':
      summary.xchFarmed = parseChiaNumber(value);
      return true;
    case 'plot count':
    case 'plot count for all harvesters':
      summary.plotCount = parseWholeNumber(value);
      return true;
    // 1.2's `Total harvesting plots: 91 (9.008 TiB)` and `Local plot count: 91 (9.008 TiB)`.
    case 'total harvesting plots':
    case 'local plot count': {
      const counted = /^(\d+)\s*\((.+)\)$/.exec(value);
      // The farmer's total over all harvesters wins over this host's local count.
      if (summary.plotCount === null || name === 'total harvesting plots') {
        summary.plotCount = counted ? parseWholeNumber(counted[1]!) : null;
        summary.plotsBytes = counted ? parseSize(counted[2]!) : null;
      }
      return true;
    }
    case 'total size of plots': {
      const [onDisk, effective] = value.split(',');
      summary.plotsBytes = parseSize((onDisk ?? '').replace(/\s+on-disk$/, ''));
      summary.plotsEffectiveBytes =
        effective === undefined ? null : parseSize(effective.replace(/\s*\(effective\)\s*$/, ''));
      return true;
    }
    case 'estimated network space':
      summary.netspaceBytes = parseSize(value);
      return true;
    case 'expected time to win':
      summary.expectedTimeToWinSeconds = parseTimeToWin(value);
      return true;
    // Known lines this collector does not export (goplot left the last won height out on purpose).
    case 'user transaction fees':
    case 'block rewards':
    case 'last height farmed':
    case 'connected harvesters':
    case 'total connected harvesters':
      return true;
    default:
      return false;
  }
}

/** `1 year and 9 months`, `1 week`, `Now` → seconds; `Unknown`, `Never (no plots)` → null. */
export function parseTimeToWin(text: string): number | null {
  if (text === 'Now') return 0;
  const parts = text.split(/\s+and\s+/);
  let minutes = 0;
  for (const part of parts) {
    const match = /^(\d+)\s+(year|month|week|day|hour|minute)s?$/.exec(part.trim());
    if (!match) return null;
    minutes += Number(match[1]) * MINUTES_PER_UNIT[match[2]!]!;
  }
  return minutes * 60;
}
