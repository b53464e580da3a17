import { outputLines, parseSize, parseWholeNumber, readUnreachableService } from './parse-size.js';

/**
 * What `chia show -s` (`chia show --state`) says about the full node. Every field is null when
 * the output does not say it: a missing value is left out of the .prom file, never written as 0.
 */
export interface ShowState {
  /** At least one line this parser knows was found; otherwise the output is not chia's. */
  recognized: boolean;
  /** Services chia could not reach (`Connection error. Check if full node is running at 8555`). */
  unreachable: string[];
  /** The status text after `Current Blockchain Status:`, or a summary of the state the node is in. */
  status: string | null;
  synced: boolean | null;
  peakHeight: number | null;
  /** While syncing (`Syncing 4890000/4900000 (10000 behind).`). */
  syncProgressHeight: number | null;
  syncTipHeight: number | null;
  netspaceBytes: number | null;
  difficulty: number | null;
}

export function parseShowState(text: string): ShowState {
  const state: ShowState = {
    recognized: false,
    unreachable: [],
    status: null,
    synced: null,
    peakHeight: null,
    syncProgressHeight: null,
    syncTipHeight: null,
    netspaceBytes: null,
    difficulty: null,
  };
  for (const line of outputLines(text)) {
    const trimmed = line.trim();
    const service = readUnreachableService(trimmed);
    if (service !== null) {
      state.recognized = true;
      if (!state.unreachable.includes(service)) state.unreachable.push(service);
      continue;
    }
    const status = /^Current Blockchain Status:\s*(.*)$/.exec(trimmed);
    if (status) {
      state.recognized = true;
      readStatus(state, status[1]!.trim());
      continue;
    }
    // Printed before any status line when the node has no peak yet.
    if (
      /^(Searching for an initial chain|There is no blockchain found yet|Blockchain has no blocks yet)/.test(trimmed)
    ) {
      state.recognized = true;
      state.status ??= trimmed.replace(/\.?\s*$/, '');
      state.synced ??= false;
      continue;
    }
    const height = /^Time:.*\sHeight:\s*(\d+)\s*$/.exec(trimmed);
    if (height) {
      state.recognized = true;
      state.peakHeight = parseWholeNumber(height[1]!);
      continue;
    }
    const space = /^Estimated network space:\s*(.*)$/.exec(trimmed);
    if (space) {
      state.recognized = true;
      state.netspaceBytes = parseSize(space[1]!);
      continue;
    }
    const difficulty = /^Current difficulty:\s*(.*)$/.exec(trimmed);
    if (difficulty) {
      state.recognized = true;
      state.difficulty = parseWholeNumber(difficulty[1]!);
    }
  }
  // A node chia cannot reach is not synced, whatever an old status said: a dead node must show.
  if (state.status === null && state.unreachable.includes('full node')) {
    state.status = 'full node not reachable';
    state.synced = false;
  }
  return state;
}

function readStatus(state: ShowState, status: string): void {
  state.status = status;
  if (/^Full Node Synced\b/i.test(status)) {
    state.synced = true;
    return;
  }
  state.synced = false;
  const syncing = /^Syncing\s+(\d+)\s*\/\s*(\d+)/i.exec(status);
  if (syncing) {
    state.syncProgressHeight = parseWholeNumber(syncing[1]!);
    state.syncTipHeight = parseWholeNumber(syncing[2]!);
  }
  const peak = /Peak height:\s*(\d+)/i.exec(status);
  if (peak) state.peakHeight = parseWholeNumber(peak[1]!);
}
