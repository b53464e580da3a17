// Run as its own process (UV_THREADPOOL_SIZE set by the test): polls four disks whose statfs
// never answers (each blocks a real libuv thread on a FIFO's open) and one healthy disk, three
// times, as the loop or a collector polls, and prints what each poll got as JSON.
import fs from 'node:fs';
import path from 'node:path';
import { readDiskSpace } from '../../lib/farm/disk-space.js';
import { errorMessage } from '../../lib/util/error-message.js';

const [root, healthy] = process.argv.slice(2) as [string, string];
const hung = [1, 2, 3, 4].map((n) => path.join(root, `hung${n}`));
const fifos = hung.map((dir) => path.join(dir, 'fifo'));
const statfs = async (dir: string) => {
  if (!hung.includes(dir)) return fs.promises.statfs(dir);
  // open(2) of a FIFO with no writer blocks the thread that runs it, as statfs on a dead mount does
  await (await fs.promises.open(path.join(dir, 'fifo'), 'r')).close();
  throw new Error('the hung disk answered');
};
const rounds: Record<string, string>[] = [];
for (let round = 0; round < 3; round++) {
  const results: Record<string, string> = {};
  await Promise.all(
    [...hung, healthy].map(async (dir) => {
      try {
        await readDiskSpace(dir, 'statfs', { timeoutMs: 500, statfs });
        results[path.basename(dir)] = 'ok';
      } catch (error) {
        results[path.basename(dir)] = errorMessage(error);
      }
    }),
  );
  rounds.push(results);
}
console.log(JSON.stringify(rounds));
// a writer releases every blocked open, so the threads come back and the process can exit
for (const fifo of fifos) {
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
  } catch {
    // no reader left on this one
  }
}
