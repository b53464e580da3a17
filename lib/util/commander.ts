import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';

// commander is a CommonJS package. Imported, node loads it through its ES module wrapper and scans
// its source for the names it exports before running it; required, it is one plain CommonJS load,
// some milliseconds less in the start of every entry that reads an argv (bench/RESULTS.md, startup).
const commander = createRequire(import.meta.url)('commander') as typeof CommanderModule;

export const { Command, InvalidArgumentError } = commander;
export type Command = CommanderModule.Command;
export type InvalidArgumentError = CommanderModule.InvalidArgumentError;
