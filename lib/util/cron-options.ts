/**
 * A cron entry's options. Cron starts the collectors and diskhand with no argument at all, and then
 * their options are the defaults: commander is not loaded for them, since it loads
 * node:child_process with net and dgram, about a fifth of a bare node start (bench/RESULTS.md,
 * startup.bench.js). Any argument goes to commander as before: --help, checks and errors are its own.
 * The entry passes the same defaults to commander, so both ways give the same options.
 */
export async function cronOptions<T>(defaults: T, parse: () => T | Promise<T>, argv = process.argv): Promise<T> {
  return argv.length > 2 ? parse() : defaults;
}
