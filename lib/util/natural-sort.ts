// 'variant': farm1 and Farm1, farme and farmé are different farms, as they are different folders
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Natural order, so farm10 comes after farm9 as `ls -v` would put it. */
export function naturalSort(names: readonly string[]): string[] {
  return [...names].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The name after `last` in natural order, wrapping round; the first when `last` is not there. */
export function nextRoundRobin(names: readonly string[], last: string): string[] {
  const sorted = naturalSort(names);
  const after = sorted.filter((name) => collator.compare(name, last) > 0);
  const before = sorted.filter((name) => collator.compare(name, last) <= 0);
  return [...after, ...before];
}
