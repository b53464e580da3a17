import type { ValueParser } from './value-parsers.js';

export interface Spec<T> {
  default: T;
  parse: ValueParser<T>;
  /** State files are written by the scripts; `goplot set` still may, for repairs. */
  kind: 'config' | 'state';
  help: string;
}

export const DAY = 86_400;
