// Run as its own process by test/unit/util/dir-lock.test.ts: takes a directory lock as another
// goplot process would, and appends what it did to a log the processes share.
//   turns LOCK LOG ID TURNS: takes the lock TURNS times, waiting for it, holding it a moment each
//   race LOCK LOG ID DIR: says ready in DIR/ready, tries once as soon as DIR/go exists; a holder
//   keeps the lock until DIR/release exists
import fs from 'node:fs';
import path from 'node:path';
import { takeDirLock, type DirLockOptions } from '../../lib/util/dir-lock.js';

const [mode, lockPath, log, id, extra] = process.argv.slice(2) as [string, string, string, string, string];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => fs.appendFileSync(log, `${line}\n`);

// odd children keep their lock fresh, as the state lock's holders do; even ones do not, as claims
const options: DirLockOptions =
  Number(id) % 2 === 1
    ? { stale: 10_000, refresh: { every: 5, onCompromised: (error) => say(`lost ${id}: ${error.message}`) } }
    : { stale: 10_000 };

if (mode === 'turns') {
  for (let turn = 0; turn < Number(extra); turn++) {
    let take = takeDirLock(lockPath, options);
    while (!take.held) {
      await sleep(1 + Math.random() * 4);
      take = takeDirLock(lockPath, options);
    }
    say(`in ${id}`);
    await sleep(5 + Math.random() * 10);
    say(`out ${id}`);
    take.release();
  }
} else {
  fs.appendFileSync(path.join(extra, 'ready'), `${id}\n`);
  // spinning, not sleeping: the racers go within a moment of each other
  while (!fs.existsSync(path.join(extra, 'go')));
  const take = takeDirLock(lockPath, options);
  say(`${take.held ? 'held' : 'busy'} ${id}`);
  if (take.held) {
    while (!fs.existsSync(path.join(extra, 'release'))) await sleep(10);
    take.release();
  }
}
