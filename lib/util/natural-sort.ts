// 'variant': farm1 and Farm1, farme and farmé are different farms, as they are different folders.
// Made on first need: an ICU collator costs a cron run about as much CPU as node's own start
// (bench/RESULTS.md, startup.bench.js), and the names of a usual farm never need it (below).
let collator: Intl.Collator | undefined;

/**
 * Names of ASCII letters and digits (farm1, disk10, Plots) whose numbers have no leading zero:
 * for these compareSimple gives the collator's order, which the unit test checks against it.
 */
const SIMPLE = /^[A-Za-z0-9]{0,200}$/;
/** A number with a leading zero: the collator's numbers ignore those zeros, compareSimple does not. */
const LEADING_ZERO = /(?<!\d)0\d/;

function isSimple(name: string): boolean {
  return SIMPLE.test(name) && !LEADING_ZERO.test(name);
}

/** Letter runs and number runs: `disk10a` → ['disk', '10', 'a']. */
const PARTS = /[A-Za-z]+|\d+/g;

/**
 * The collator's order on SIMPLE names: at the first level numbers by value before letters, and
 * letters alphabetically without case; when that ties, lowercase before uppercase at the first
 * letter whose case differs (ICU's third level); equal then only when the names are.
 */
function compareSimple(a: string, b: string): number {
  const left = a.match(PARTS) ?? [];
  const right = b.match(PARTS) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    const xNumber = x.charCodeAt(0) <= 57;
    const yNumber = y.charCodeAt(0) <= 57;
    if (xNumber !== yNumber) return xNumber ? -1 : 1;
    if (xNumber) {
      if (x.length !== y.length) return x.length - y.length;
      if (x !== y) return x < y ? -1 : 1;
      continue;
    }
    // a letter run that is the other's start ends where a number or the name follows, both
    // of which sort before a letter: so plain string order of the lowercase runs is the collator's
    const lower = [x.toLowerCase(), y.toLowerCase()];
    if (lower[0] !== lower[1]) return lower[0]! < lower[1]! ? -1 : 1;
  }
  if (left.length !== right.length) return left.length - right.length;
  // same letters and numbers: the case decides, lowercase first, where it first differs
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    return a[i] === a[i]!.toLowerCase() ? -1 : 1;
  }
  return 0;
}

function compare(a: string, b: string): number {
  if (isSimple(a) && isSimple(b)) return compareSimple(a, b);
  collator ??= new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
  return collator.compare(a, b);
}

/** Natural order, so farm10 comes after farm9 as `ls -v` would put it. */
export function naturalSort(names: readonly string[]): string[] {
  return [...names].sort((a, b) => compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The name after `last` in natural order, wrapping round; the first when `last` is not there. */
export function nextRoundRobin(names: readonly string[], last: string): string[] {
  const sorted = naturalSort(names);
  const after = sorted.filter((name) => compare(name, last) > 0);
  const before = sorted.filter((name) => compare(name, last) <= 0);
  return [...after, ...before];
}

/** For the unit test that holds the fast path to the collator's word. */
export const compareNamesForTest = compare;
