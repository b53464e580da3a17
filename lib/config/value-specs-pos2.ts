import { DEFAULT_POS2_TEMPLATE, pos2TemplateValue } from './pos2-template.js';
import { commandName, decimalNumber, wholeNumber } from './value-parsers.js';
import type { Spec } from './value-spec.js';

/** Proof of space v2 plotting (DESIGN §17): the plot group, its strength, the template, declared memory. */
export const POS2_VALUE_SPECS = {
  group_size: {
    default: 128,
    parse: wholeNumber(1, 65_535),
    kind: 'config',
    help: 'pos2 plots in one plot group: one tractor makes one group on one disk (chia recommends 32 to 128)',
  },
  strength: {
    // the reference plotter's default; mainnet's strength is the farmer's choice (each step doubles the work)
    default: 2,
    parse: wholeNumber(0, 8),
    kind: 'config',
    help: 'pos2 plot strength (each step doubles the plotting work)',
  },
  plot_command_v2: {
    default: DEFAULT_POS2_TEMPLATE,
    parse: pos2TemplateValue,
    kind: 'config',
    help: 'the pos2 plotter command for plotter chia-v2: words and {placeholders}, no shell; without {count} it runs once per plot',
  },
  xchplot2_bin: {
    default: 'xchplot2',
    parse: commandName,
    kind: 'config',
    help: 'the xchplot2 command for plotter xchplot2 (name on PATH or full path)',
  },
  plot_ram: {
    default: 0,
    parse: decimalNumber(0, 1_048_576),
    kind: 'config',
    help: 'GiB of memory one plotter run takes: no plot starts while it would not fit in MemAvailable; 0 for no check',
  },
} satisfies Record<string, Spec<unknown>>;
