const PLOT_ID =
  /(?:^ID: |Plot Name: plot-k\d+(?:-c\d\d?)?-[\d-]+-|Generating plot \d+(?: \/ \d+)?: |plot-k\d+(?:-c\d\d?)?-\d{4}-\d\d-\d\d-\d\d-\d\d-)([0-9a-f]{64})/m;

/** The plot id the plotter printed, from its log; null when it died before printing one. */
export function findPlotId(logText: string): string | null {
  return PLOT_ID.exec(logText)?.[1] ?? null;
}
