#!/usr/bin/env node
/*
 * The simulated plotter: a real executable taking the real plotters' arguments and writing
 * their log formats, temp files and a small final .plot (DESIGN §12). Use it as chia_bin
 * (`plots create …`, `plotters madmax|bladebit …`), or through a symlink named chia_plot,
 * chia_plot_k34, bladebit or bladebit_cuda for the standalone CLIs.
 *
 * Environment: SIMPLOTTER_SECONDS (one plot's wall time, default 20), SIMPLOTTER_FAIL_PHASE=N
 * (die at the start of phase N, leaving temp files), SIMPLOTTER_FINAL_BYTES (default 65536),
 * SIMPLOTTER_MEMORY_MB (memory to hold while plotting, default 0).
 * SIGTERM/SIGINT end it at once (143/130), leaving its temp files as a killed plotter does.
 *
 * pos2 (DESIGN §17): `plots create2 --strength S -n N -d DIR [-k K --index I --meta-group M -t T -f -p -c]`
 * writes N real pos2 plots; `test K PLOT_ID STRENGTH INDEX META_GROUP` (or run as `plotter`) stands
 * in for the reference plotter's one plot a run, a `.bin` in the working dir. SIMPLOTTER_SECONDS is
 * one plot's time; SIMPLOTTER_FAIL_PLOT=N dies at the start of plot N; SIMPLOTTER_K is create2's k
 * without -k (default 28).
 *
 * This entry does not use commander: it must accept exactly the plotters' own argument syntax.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runSimPlotter } from '../lib/sim/simplotter.js';
import { runMain } from '../lib/util/run-main.js';

process.on('SIGTERM', () => process.exit(143));
process.on('SIGINT', () => process.exit(130));
// A closed log pipe ends a real plotter by SIGPIPE (128 + 13); so it ends this one.
process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 141 : 1));

async function main(): Promise<void> {
  process.exitCode = await runSimPlotter({
    args: process.argv.slice(2),
    invokedAs: process.argv[1] ?? 'simplotter',
    env: process.env,
    pid: process.pid,
    io: {
      write: (text) => process.stdout.write(text),
      writeError: (text) => process.stderr.write(text),
      now: () => Date.now(),
      sleep: (ms) => sleep(ms),
    },
  });
}

void runMain('simplotter', main);
