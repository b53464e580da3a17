import type { ConfigReader } from '../config/config-reader.js';
import type { SessionPool } from './host-session.js';
import type { HomePaths } from '../config/home.js';
import type { ArchiveTarget } from './archive-targets.js';
import type { StagingSpace } from './archiver-metrics.js';
import type { TargetStatus } from './archiver-progress.js';
import type { StreamLease } from './pass-leases.js';
import type { PassNote } from './pass-replot.js';
import type { Reservation } from './reservations.js';
import type { StagedPlot } from './staging-plots.js';
import type { TargetNews } from './target-outages.js';

/** What a pass needs of its process and home. */
export interface PassWorld {
  paths: HomePaths;
  config: ConfigReader;
  now: () => number;
  procDir: string;
  mountinfoPath: string;
  pid: number;
  pidStart: number;
  /** Says a message once until it changes (keyed by its subject). */
  sayOnce: (key: string, level: 'info' | 'warn', message: string | null) => void;
  /** This host's name, for the leases on targets (os.hostname() when absent). */
  hostname?: string;
  /** The archiver's sessions on hosts; without it a pass closes its own before it returns. */
  sessions?: SessionPool;
  /** Told the staged plots as soon as they are read, before any survey (the archiver starts rsyncs then). */
  onStaged?: (plots: StagedPlot[], targets: ArchiveTarget[]) => void;
}

export interface PlannedTransfer {
  reservation: Reservation;
  plot: StagedPlot;
  target: ArchiveTarget;
  resumed: number;
  /** Partial copies of this plot left on other disks (a copy cut short, then sent elsewhere): removed once it arrives. */
  strayPartials: { target: ArchiveTarget; plotsDir: string }[];
  /** An old plot replot removed on a target for this plot (this pass or an earlier one), for its failure line. */
  replotFreed: string | null;
  /** The lease its stream holds on the target disk, shared by the plots of one batch (null: none could be written there). */
  lease?: StreamLease | null;
}

export interface PassResult {
  planned: PlannedTransfer[];
  waiting: number;
  statuses: TargetStatus[];
  /** Logged and notified: targets down, full or back, and replot's removals. */
  news: TargetNews[];
  /** Logged only: what replot did not do on a target, and why. */
  notes: PassNote[];
  /** The staging disks' space (for archiver.prom and its alerts). */
  staging?: StagingSpace[];
  /** Each surveyed remote host's CPU: does it do AES-GCM in hardware (for its batches' ciphers). */
  hostAes?: Map<string, boolean>;
  /** Lets go of the pass's hold on its sessions (world.sessions given): call it once the batches hold theirs. */
  release?: () => void;
}

/** How long a survey, a header read or a lease claim may take on one host. */
export const SURVEY_TIMEOUT_MS = 30_000;
