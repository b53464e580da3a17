/**
 * A farm, disk or temp dir name with a control character (a newline from a stray `mkdir "$(…)"`)
 * breaks the one-value files (farm_dest.goplot holds the last farm's name on one line) and the
 * one-line log records: such a folder is refused by name and skipped.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(name: string): boolean {
  return CONTROL.test(name);
}

/** The usable names, and one sentence for each refused one. */
export function splitUsableNames(
  names: string[],
  what: string,
  parent: string,
): { usable: string[]; refused: string[] } {
  const usable: string[] = [];
  const refused: string[] = [];
  for (const name of names) {
    if (!hasControlCharacters(name)) usable.push(name);
    else
      refused.push(
        `${what} ${JSON.stringify(name)} in ${parent} has a control character (a newline?) in its name; skipped (rename it)`,
      );
  }
  return { usable, refused };
}
