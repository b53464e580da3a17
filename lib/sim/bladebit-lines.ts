import { type LineClock, type SimStep } from './sim-script.js';
import type { SimRequest } from './sim-request.js';

export type Line = (text: string | ((clock: LineClock) => string)) => SimStep;
export const line: Line = (text) => ({ kind: 'line', text });

export function globalConfig(req: SimRequest): SimStep[] {
  return [
    line('[Global Plotting Config]'),
    line(' Will create 1 plots.'),
    line(` Thread count          : ${req.threads}`),
    line(' Warm start enabled    : false'),
    line(' NUMA disabled         : false'),
    line(' CPU affinity disabled : false'),
    line(` Farmer public key     : ${req.farmerKey}`),
    line(req.poolContract ? ` Pool contract address : ${req.poolContract}` : ` Pool public key       : ${req.poolKey}`),
    ...(req.compression > 0 ? [line(` Compression Level     : ${req.compression}`)] : []),
    line(' Benchmark mode        : disabled'),
    line(` Output path           : ${req.destDir}`),
    line(''),
  ];
}

export const BANNER = [
  line('Bladebit Chia Plotter'),
  line('Version      : 3.1.0'),
  line('Git Commit   : e9836f8bd963321457bc86eb5d61344bfb76dcf0'),
  line('Compiled With: gcc 11.4.0'),
  line(''),
];
