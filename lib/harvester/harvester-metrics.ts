import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { ChallengeCounts } from './parse-challenge-bytes.js';
import { readLoggedAtMs, type HarvesterLine } from './parse-harvester-line.js';

// required, not imported: a bundled entry imports a package at its top whenever any of its code
// does, and harvesterlog's --help would load prom-client
const { Counter, Gauge, Histogram, Registry } = createRequire(import.meta.url)('prom-client') as typeof PromClient;
type Counter = PromClient.Counter;
type Gauge = PromClient.Gauge;

/** chia warns when a lookup takes longer than this ("This should be below 5 seconds"). */
export const SLOW_LOOKUP_SECONDS = 5;

/** From a fast SSD farm (milliseconds) through compressed plots (1-3 s) to chia's 30 s signage point window. */
export const LOOKUP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30];

/**
 * The harvester's numbers since this process started (Prometheus handles the counter reset when it
 * restarts). Lines update plain fields, which cost nothing next to prom-client's per-call checks
 * (a burst of a million lines would spend most of its time there); the registry is brought up to
 * date only when the file is written, at most once a second.
 */
export class HarvesterMetrics {
  readonly registry = new Registry();
  /** Arrival time (Unix ms) of the last eligible line, which is what status is judged by. */
  lastChallengeArrivalMs: number | null = null;
  challenges = 0;
  eligiblePlots = 0;
  proofs = 0;
  v2Qualities = 0;
  slowLookups = 0;
  slowPlotWarnings = 0;
  unparsed = 0;
  lastEligible = 0;
  lastProofs = 0;
  /** null until a line tells, so a restart does not look like a farm that lost every plot. */
  totalPlots: number | null = null;
  /** The last eligible line's own date-time text (see ChallengeLine.loggedAt). */
  lastChallengeLoggedAt: string | null = null;

  private readonly gauges = {
    status: this.gauge(
      'farm_harvester_status',
      '1 while an eligible-plots line arrived within harvester_threshold seconds, else 0',
    ),
    plotsEligible: this.gauge('farm_harvester_plots_eligible', 'Plots eligible in the last challenge'),
    proofsFound: this.gauge('farm_harvester_proofs_found', 'Proofs found in the last challenge (V1 proofs)'),
    collectorSuccess: this.gauge(
      'harvesterlog_collector_success',
      '1 while harvesterlog runs and can read chia_log, else 0',
    ),
  };
  /** Registered once known (see totalPlots). */
  private readonly plots = new Gauge({
    name: 'farm_harvester_plots',
    help: 'Total plots the harvester reports',
    registers: [],
  });
  private readonly lastChallenge = new Gauge({
    name: 'farm_harvester_last_challenge_timestamp_seconds',
    help: 'Time of the last challenge (the line date, else its arrival), Unix seconds',
    registers: [],
  });
  /** Like the cron collectors' own: registered once harvesterlog has followed chia_log (see updateForWrite). */
  private readonly lastSuccess = new Gauge({
    name: 'harvesterlog_collector_last_success_timestamp_seconds',
    help: 'when harvesterlog last wrote this file while following chia_log (Unix time)',
    registers: [],
  });
  private readonly counters = {
    challenges: this.counter('farm_harvester_challenges_total', 'Eligible-plots lines (challenges) seen'),
    eligiblePlots: this.counter(
      'farm_harvester_eligible_plots_total',
      'Plots that passed the plot filter, summed over challenges',
    ),
    proofs: this.counter('farm_harvester_proofs_total', 'Proofs found (V1 proofs), summed over challenges'),
    v2Qualities: this.counter(
      'farm_harvester_v2_qualities_total',
      'V2 qualities found (chia 2.5.7+), summed over challenges',
    ),
    slowLookups: this.counter(
      'farm_harvester_slow_lookups_total',
      `Challenges whose lookup took over ${SLOW_LOOKUP_SECONDS} s`,
    ),
    slowPlotWarnings: this.counter(
      'farm_harvester_slow_plot_warnings_total',
      "chia's per-plot 'Looking up qualities ... took' warnings",
    ),
    unparsed: this.counter(
      'farm_harvester_unparsed_lines_total',
      'Harvester lines skipped because a value was masked or garbled',
    ),
  };
  /** Observed per line: its observe() is cheap next to a gauge's set() (no label validation path). */
  private readonly lookupSeconds = new Histogram({
    name: 'farm_harvester_lookup_seconds',
    help: 'Time the harvester took to look up qualities for one challenge',
    buckets: LOOKUP_BUCKETS,
    registers: [this.registry],
  });

  record(line: HarvesterLine, arrivalMs: number): void {
    switch (line.kind) {
      case 'challenge':
        this.recordChallenge(line, arrivalMs, line.loggedAt);
        return;
      case 'slow-plot-lookup':
        this.slowPlotWarnings++;
        return;
      case 'plot-refresh':
        this.totalPlots = line.totalPlots;
        return;
      case 'unparsed':
        this.unparsed++;
        return;
    }
  }

  /** An eligible-plots line; `counts` is read here, not kept. */
  recordChallenge(counts: ChallengeCounts, arrivalMs: number, loggedAt: string | null): void {
    this.challenges++;
    this.lastChallengeArrivalMs = arrivalMs;
    this.lastChallengeLoggedAt = loggedAt;
    this.lastEligible = counts.eligiblePlots;
    this.lastProofs = counts.proofs;
    this.totalPlots = counts.totalPlots;
    this.eligiblePlots += counts.eligiblePlots;
    this.proofs += counts.proofs;
    this.v2Qualities += counts.v2Qualities;
    if (counts.lookupSeconds > SLOW_LOOKUP_SECONDS) this.slowLookups++;
    this.lookupSeconds.observe(counts.lookupSeconds);
  }

  /** Up while the last eligible line arrived no more than `thresholdSeconds` ago. */
  isUp(nowMs: number, thresholdSeconds: number): boolean {
    return this.lastChallengeArrivalMs !== null && nowMs - this.lastChallengeArrivalMs <= thresholdSeconds * 1000;
  }

  /** Brings the registry up to date (before writePromFile renders it); nowMs is the time of this write. */
  updateForWrite(state: { up: boolean; collecting: boolean }, nowMs: number): void {
    this.gauges.status.set(state.up ? 1 : 0);
    this.gauges.collectorSuccess.set(state.collecting ? 1 : 0);
    if (state.collecting) {
      if (!this.registry.getSingleMetric('harvesterlog_collector_last_success_timestamp_seconds'))
        this.registry.registerMetric(this.lastSuccess);
      this.lastSuccess.set(Math.round(nowMs / 1000));
    }
    this.gauges.plotsEligible.set(this.lastEligible);
    this.gauges.proofsFound.set(this.lastProofs);
    for (const [field, counter] of Object.entries(this.counters)) {
      counter.reset();
      counter.inc(this[field as keyof typeof this.counters]);
    }
    if (this.totalPlots !== null) {
      if (!this.registry.getSingleMetric('farm_harvester_plots')) this.registry.registerMetric(this.plots);
      this.plots.set(this.totalPlots);
    }
    if (this.lastChallengeArrivalMs !== null) {
      if (!this.registry.getSingleMetric('farm_harvester_last_challenge_timestamp_seconds'))
        this.registry.registerMetric(this.lastChallenge);
      this.lastChallenge.set((readLoggedAtMs(this.lastChallengeLoggedAt) ?? this.lastChallengeArrivalMs) / 1000);
    }
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }
}
