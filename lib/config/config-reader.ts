import os from 'node:os';
import path from 'node:path';
import { valueFilePath, type HomePaths } from './home.js';
import { readValueFile, showRaw } from './read-value-file.js';
import { VALUE_SPECS, describeValue, type ValueName, type ValueOf } from './value-specs.js';

export type ValueSource = 'file' | 'default' | 'last good';

export interface InspectedValue<N extends ValueName = ValueName> {
  name: N;
  file: string;
  value: ValueOf<N>;
  source: ValueSource;
  /** Why the file's content was not used, as it is written to the log. */
  error?: string;
}

export type LogSink = (level: 'info' | 'warn', message: string) => void;

/**
 * Reads value files on every call (they are tiny, and a user may change them at any time),
 * keeps the last good value of each, and says each problem once until it changes.
 */
export class ConfigReader {
  private readonly lastGood = new Map<ValueName, unknown>();
  private readonly said = new Map<ValueName, string>();

  constructor(
    readonly paths: HomePaths,
    private readonly log: LogSink = () => {},
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get<N extends ValueName>(name: N): ValueOf<N> {
    return this.inspect(name).value;
  }

  inspect<N extends ValueName>(name: N): InspectedValue<N> {
    const spec = VALUE_SPECS[name];
    const file = valueFilePath(this.paths, name);
    const fallback = (): { value: ValueOf<N>; source: ValueSource } =>
      this.lastGood.has(name)
        ? { value: this.lastGood.get(name) as ValueOf<N>, source: 'last good' }
        : { value: spec.default as ValueOf<N>, source: 'default' };
    const usedText = (used: { value: ValueOf<N>; source: ValueSource }): string =>
      `using ${describeValue(name, used.value)} (${used.source === 'default' ? 'the default' : 'the last good value'})`;

    const read = readValueFile(file);
    if (read.status === 'missing') {
      const used = { value: spec.default as ValueOf<N>, source: 'default' as const };
      this.sayOnce(name, 'info', `${file}: missing, using the default ${describeValue(name, used.value)}`);
      return { name, file, ...used, value: this.expand(used.value) };
    }
    let problem: string;
    if (read.status === 'ok') {
      const parsed = (spec.parse as (raw: string) => { ok: true; value: unknown } | { ok: false; expected: string })(
        read.raw,
      );
      if (parsed.ok) {
        this.lastGood.set(name, parsed.value);
        this.said.delete(name);
        return { name, file, value: this.expand(parsed.value as ValueOf<N>), source: 'file' };
      }
      problem = `invalid value ${showRaw(read.raw)} (expected ${parsed.expected})`;
    } else if (read.status === 'binary') {
      problem = `invalid value ${showRaw(read.raw)} (it holds binary bytes)`;
    } else {
      problem = `cannot be read (${read.problem})`;
    }
    const used = fallback();
    const error = `${file}: ${problem}; ${usedText(used)}`;
    this.sayOnce(name, 'warn', error);
    return { name, file, value: this.expand(used.value), source: used.source, error };
  }

  private sayOnce(name: ValueName, level: 'info' | 'warn', message: string): void {
    if (this.said.get(name) === message) return;
    this.said.set(name, message);
    this.log(level, message);
  }

  /** `~/` in path values means the user's home, as it would in a shell. */
  private expand<T>(value: T): T {
    if (typeof value === 'string' && value.startsWith('~/')) {
      return path.join(this.env.HOME ?? os.homedir(), value.slice(2)) as T;
    }
    return value;
  }
}
