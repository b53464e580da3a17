/** Where a plot group stands when a plot of it has landed (and when the group starts, before the first). */
export interface GroupLanding {
  disk: { farm: string; disk: string; diskDir: string; plotsDir: string };
  /** Bytes the next plot of the group will take on the disk (0 when none is left). */
  nextPlotBytes: number;
  /** Plots of the group still to land. */
  plotsLeft: number;
}

/**
 * The group runner's one point per landed plot: called at the group's start and after each plot
 * lands, awaited before the runner looks on. Room made just in time for the next plot (replot) hooks in
 * here; nothing is done here yet.
 */
export async function onGroupLanding(landing: GroupLanding): Promise<void> {
  void landing;
}
