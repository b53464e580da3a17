import { errorMessage } from './error-message.js';

export interface RunMainOptions {
  /** Exit code when main throws (1 unless the script's contract says otherwise). */
  failureCode?: number;
  /**
   * Exit as soon as main settles, even with handles left open: a statfs stuck in the kernel on a
   * hung mount would otherwise keep a cron run alive for ever. Output is written by then.
   */
  exitWhenDone?: boolean;
  printError?: (line: string) => void;
}

/**
 * An entry script's end: run main; when it throws, print `<name>: <message>` on stderr and set
 * process.exitCode, so the process ends on its own once its handles close (no stack trace for a
 * farmer to read).
 */
export async function runMain(name: string, main: () => Promise<void>, options: RunMainOptions = {}): Promise<void> {
  const printError = options.printError ?? ((line: string) => console.error(line));
  try {
    await main();
  } catch (error) {
    printError(`${name}: ${errorMessage(error)}`);
    process.exitCode = options.failureCode ?? 1;
  }
  if (options.exitWhenDone) process.exit();
}
