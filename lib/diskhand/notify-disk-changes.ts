import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '../config/config-reader.js';
import type { DiskOutcome } from './disk-report.js';
import type { DiskhandReport } from './diskhand.js';
import type { HomePaths } from '../config/home.js';
import type { Logger } from '../util/logger.js';
import type { NotifyEventKind } from '../notify/targets.js';
import { writeFileAtomicSync } from '../util/write-file-atomic.js';

export type Notify = (kind: NotifyEventKind, subject: string, text: string) => Promise<unknown>;

export interface DiskEvent {
  kind: NotifyEventKind;
  subject: string;
  text: string;
}

/** Outcomes worth a message; `room` is remembered so that the next `full` is news again. */
const NEWS: Partial<Record<DiskOutcome, (name: string) => Omit<DiskEvent, 'subject'>>> = {
  full: (name) => ({ kind: 'disk_full', text: `disk ${name} is full: no room for one more plot` }),
  'read-only': (name) => ({
    kind: 'disk_full',
    text: `disk ${name} is read-only (a failing disk?): it gets no plots until it is writable`,
  }),
  unmounted: (name) => ({ kind: 'disk_unmounted', text: `disk ${name} is not mounted: it gets no plots until it is` }),
};
const REMEMBERED = new Set<DiskOutcome>(['room', 'full', 'read-only', 'unmounted']);

/** Where the last state told about each disk is kept, beside the notifiers' own state. */
export function notifiedDir(paths: HomePaths): string {
  return path.join(paths.logsDir, '.notify', 'disks');
}

function notifiedFile(paths: HomePaths, farm: string, disk: string): string {
  return path.join(notifiedDir(paths), encodeURIComponent(farm), `${encodeURIComponent(disk)}.state`);
}

function readNotified(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * The disks whose state differs from the one last told about, as events, after remembering
 * every new state. A tractor may write `full` before diskhand runs, so the state file being
 * unchanged says nothing about whether anyone was told. On the first run there is nothing
 * remembered: the states found are taken as known, so an upgrade does not send one message
 * per disk that was full all along.
 */
export function takeDiskEvents(paths: HomePaths, report: DiskhandReport): DiskEvent[] {
  const firstRun = !fs.existsSync(notifiedDir(paths));
  const events: DiskEvent[] = [];
  for (const disk of report.disks) {
    if (!REMEMBERED.has(disk.outcome)) continue;
    const file = notifiedFile(paths, disk.farm, disk.disk);
    const before = readNotified(file);
    if (before === disk.outcome) continue;
    const news = NEWS[disk.outcome];
    const name = `${disk.farm}/${disk.disk}`;
    if (news && !firstRun) events.push({ ...news(name), subject: name });
    writeFileAtomicSync(file, `${disk.outcome}\n`);
  }
  if (firstRun) fs.mkdirSync(notifiedDir(paths), { recursive: true });
  return events;
}

export interface NotifyDiskChangesOptions {
  paths: HomePaths;
  log: Logger;
  /** How to send; by default the home's notifiers (plot-events), loaded only when there is news. */
  notify?: Notify;
}

/** Sends disk_full / disk_unmounted for each disk whose state changed since last told. Returns how many. */
export async function notifyDiskChanges(report: DiskhandReport, options: NotifyDiskChangesOptions): Promise<number> {
  const events = takeDiskEvents(options.paths, report);
  if (events.length === 0) return 0;
  let notify = options.notify;
  if (!notify) {
    // got and the notifiers load only when a disk changed in this pass
    const { createPlotEvents } = await import('../notify/plot-events.js');
    const plotEvents = createPlotEvents({
      paths: options.paths,
      config: new ConfigReader(options.paths, () => {}),
      log: options.log,
    });
    notify = (kind, subject, text) => plotEvents.notifyEvent(kind, subject, text);
  }
  const send = notify;
  await Promise.all(events.map((event) => send(event.kind, event.subject, event.text)));
  return events.length;
}
