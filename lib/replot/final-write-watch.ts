import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { PlotterName } from '../config/value-specs.js';
import { createPlotLogParser, type PlotLogInfo } from '../plot-log/parse-plot-log.js';

/**
 * When each plotter starts writing its final file to the destination disk. chiapos copies it at
 * the end of phase 4, madmax after phase 4, bladebit ramplot writes it after its phase 4; so for
 * them room is made when the log reaches phase 4. bladebit diskplot and cudaplot write the plot
 * file in the destination while plotting: room must exist before the plotter starts.
 */
export function roomMoment(plotter: PlotterName): 'before-start' | 'last-phase' {
  return plotter === 'bladebit-disk' || plotter === 'bladebit-cuda' ? 'before-start' : 'last-phase';
}

/**
 * Follows a plot log, reading only the bytes added since the last look, and gives `look` the parsed
 * plot after each new chunk until it returns true (done) or stop() is called.
 */
export function followPlotLog(logFile: string, look: (info: PlotLogInfo) => boolean, everyMs = 200): { stop(): void } {
  const parser = createPlotLogParser();
  const decoder = new StringDecoder('utf8');
  let offset = 0;
  let done = false;
  const read = (): void => {
    if (done) return;
    let fd: number | undefined;
    let grew = false;
    try {
      fd = fs.openSync(logFile, 'r');
      const size = fs.fstatSync(fd).size;
      if (size > offset) {
        const buffer = Buffer.alloc(size - offset);
        const got = fs.readSync(fd, buffer, 0, buffer.length, offset);
        offset += got;
        parser.push(decoder.write(buffer.subarray(0, got)));
        grew = got > 0;
      }
    } catch {
      // not there yet: the next look tries again
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    if (grew && look(parser.info())) stop();
  };
  const timer = setInterval(read, everyMs);
  const stop = (): void => {
    done = true;
    clearInterval(timer);
  };
  read();
  return { stop };
}

/** The plot has come to its last phase (4; bladebit diskplot's 3): its final write is next. */
export function atLastPhase(info: PlotLogInfo): boolean {
  return info.phase > 0 && info.phase >= info.phaseCount;
}
