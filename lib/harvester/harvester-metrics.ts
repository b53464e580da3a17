import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { readLoggedAtMs, type HarvesterLine } from './parse-harvester-line.js';

/** chia warns when a lookup takes longer than this ("This should be below 5 seconds"). */
export const SLOW_LOOKUP_SECONDS = 5;

/** From a fast SSD farm (milliseconds) through compressed plots (1-3 s) to chia's 30 s signage point window. */
export const LOOKUP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30];

/**
 * The harvester's numbers, kept in one long-lived Registry: the counters count from the start of
 * this process (Prometheus handles the reset when it restarts).
 */
export class HarvesterMetrics {
  readonly registry = new Registry();
  /** Arrival time (Unix ms) of the last eligible line, which is what status is judged by. */
  lastChallengeArrivalMs: number | null = null;
  challenges = 0;
  unparsed = 0;
  private lastChallengeLoggedAt: string | null = null;

  private readonly status = this.gauge('farm_harvester_status', '1 while an eligible-plots line arrived within harvester_threshold seconds, else 0');
  private readonly plotsEligible = this.gauge('farm_harvester_plots_eligible', 'Plots eligible in the last challenge');
  private readonly proofsFound = this.gauge('farm_harvester_proofs_found', 'Proofs found in the last challenge (V1 proofs)');
  private readonly plots = this.gauge('farm_harvester_plots', 'Total plots the harvester reports');
  private readonly lastChallenge = this.gauge('farm_harvester_last_challenge_timestamp_seconds', 'Time of the last challenge (the line date, else its arrival), Unix seconds');
  private readonly collectorSuccess = this.gauge('harvesterlog_collector_success', '1 while harvesterlog can read chia_log and is running, else 0');
  private readonly challengesTotal = this.counter('farm_harvester_challenges_total', 'Eligible-plots lines (challenges) seen');
  private readonly eligibleTotal = this.counter('farm_harvester_eligible_plots_total', 'Plots that passed the plot filter, summed over challenges');
  private readonly proofsTotal = this.counter('farm_harvester_proofs_total', 'Proofs found (V1 proofs), summed over challenges');
  private readonly v2QualitiesTotal = this.counter('farm_harvester_v2_qualities_total', 'V2 qualities found (chia 2.5.7+), summed over challenges');
  private readonly slowLookupsTotal = this.counter('farm_harvester_slow_lookups_total', `Challenges whose lookup took over ${SLOW_LOOKUP_SECONDS} s`);
  private readonly slowPlotWarningsTotal = this.counter('farm_harvester_slow_plot_warnings_total', "chia's per-plot 'Looking up qualities ... took' warnings");
  private readonly unparsedTotal = this.counter('farm_harvester_unparsed_lines_total', 'Harvester lines skipped because a value was masked or garbled');
  private readonly lookupSeconds = new Histogram({
    name: 'farm_harvester_lookup_seconds',
    help: 'Time the harvester took to look up qualities for one challenge',
    buckets: LOOKUP_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    this.collectorSuccess.set(0);
  }

  record(line: HarvesterLine, arrivalMs: number): void {
    switch (line.kind) {
      case 'challenge':
        this.challenges++;
        this.lastChallengeArrivalMs = arrivalMs;
        this.lastChallengeLoggedAt = line.loggedAt;
        this.plotsEligible.set(line.eligiblePlots);
        this.proofsFound.set(line.proofs);
        this.plots.set(line.totalPlots);
        this.challengesTotal.inc();
        if (line.eligiblePlots > 0) this.eligibleTotal.inc(line.eligiblePlots);
        if (line.proofs > 0) this.proofsTotal.inc(line.proofs);
        if (line.v2Qualities > 0) this.v2QualitiesTotal.inc(line.v2Qualities);
        this.lookupSeconds.observe(line.lookupSeconds);
        if (line.lookupSeconds > SLOW_LOOKUP_SECONDS) this.slowLookupsTotal.inc();
        return;
      case 'slow-plot-lookup':
        this.slowPlotWarningsTotal.inc();
        return;
      case 'plot-refresh':
        this.plots.set(line.totalPlots);
        return;
      case 'unparsed':
        this.unparsed++;
        this.unparsedTotal.inc();
        return;
    }
  }

  /** Up while the last eligible line arrived no more than `thresholdSeconds` ago. */
  isUp(nowMs: number, thresholdSeconds: number): boolean {
    return this.lastChallengeArrivalMs !== null && nowMs - this.lastChallengeArrivalMs <= thresholdSeconds * 1000;
  }

  /** Sets the values that depend on the moment of writing (before writePromFile renders the registry). */
  updateForWrite(state: { up: boolean; collecting: boolean }): void {
    this.status.set(state.up ? 1 : 0);
    this.collectorSuccess.set(state.collecting ? 1 : 0);
    if (this.lastChallengeArrivalMs !== null) {
      const ms = readLoggedAtMs(this.lastChallengeLoggedAt) ?? this.lastChallengeArrivalMs;
      this.lastChallenge.set(ms / 1000);
    }
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }
}
