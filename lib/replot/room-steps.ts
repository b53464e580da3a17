import { chooseVictims } from './choose-victims.js';
import type { PlotRemover } from './plot-remover.js';
import type { ReplotCandidate } from './removal-order.js';

export interface RoomRequest {
  /** Bytes missing now for the next plot(s) to land, given the bytes removed so far. */
  missing: (freedBytes: number) => Promise<number>;
  /**
   * Bytes missing for all that is still coming (a whole group), given the bytes removed so far:
   * the victims are chosen as the fewest plots that free this, but removed only while `missing`
   * is above 0. Absent: the same as `missing`.
   */
  planned?: (freedBytes: number) => Promise<number>;
  /** The plots that may go, in removal order. */
  candidates: readonly ReplotCandidate[];
  plotsDir: string;
  remover: PlotRemover;
  /** Asked before each removal: false once the plot has ended (nothing is removed for it then). */
  stillWanted?: () => boolean;
}

export interface RoomResult {
  removed: ReplotCandidate[];
  refused: { plot: ReplotCandidate; why: string }[];
  /** Passed over by the last choice: they free too little to be one of the fewest plots. */
  tooSmall: ReplotCandidate[];
  /** Still missing at the end: 0 or less when there is room. */
  missingBytes: number;
  /** The plot ended before its room was made. */
  stopped: boolean;
}

/**
 * Makes room just in time, one old plot at a time, for a local disk and a remote one alike: while
 * bytes are missing, the first of the fewest candidates that free enough is checked again and
 * removed by `remover`; one that may not go (refused) is passed over and the next taken. Stops
 * with the bytes still missing when the candidates left cannot free enough.
 */
export async function makeRoomBy(request: RoomRequest): Promise<RoomResult> {
  const left = [...request.candidates];
  const result: RoomResult = { removed: [], refused: [], tooSmall: [], missingBytes: 0, stopped: false };
  let freed = 0;
  for (;;) {
    const missing = await request.missing(freed);
    result.missingBytes = missing;
    if (missing <= 0) return result;
    const planned = request.planned ? Math.max(missing, await request.planned(freed)) : missing;
    // a group the disk cannot hold whole still gets the room for its next plots
    const whole = chooseVictims(left, planned);
    const choice = whole.fewest === null ? chooseVictims(left, missing) : whole;
    result.tooSmall = choice.tooSmall;
    const victim = choice.picked[0];
    if (!victim) return result;
    if (request.stillWanted && !request.stillWanted()) {
      result.stopped = true;
      return result;
    }
    left.splice(left.indexOf(victim), 1);
    const why = await request.remover.remove(victim, request.plotsDir);
    if (why !== null) {
      result.refused.push({ plot: victim, why });
      continue;
    }
    result.removed.push(victim);
    freed += victim.sizeBytes;
  }
}
