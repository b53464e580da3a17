import type { DiskhandReport } from './diskhand.js';
import type { NotifyEventKind } from './notify/targets.js';

type Notify = (kind: NotifyEventKind, subject: string, text: string) => Promise<unknown>;

/**
 * A disk that became full or unmounted in this pass is news; one that stayed so is not (the
 * state file was unchanged, so the report says it was not written).
 */
export function diskEvents(report: DiskhandReport): { kind: NotifyEventKind; subject: string; text: string }[] {
  return report.disks
    .filter((disk) => disk.written && (disk.outcome === 'full' || disk.outcome === 'unmounted'))
    .map((disk) => ({
      kind: disk.outcome === 'full' ? 'disk_full' : 'disk_unmounted',
      subject: `${disk.farm}/${disk.disk}`,
      text: disk.outcome === 'full'
        ? `disk ${disk.farm}/${disk.disk} is full: no room for one more plot`
        : `disk ${disk.farm}/${disk.disk} is not mounted: it gets no plots until it is`,
    }));
}

export async function notifyDiskChanges(report: DiskhandReport, notify: Notify): Promise<number> {
  const events = diskEvents(report);
  await Promise.all(events.map((event) => notify(event.kind, event.subject, event.text)));
  return events.length;
}
