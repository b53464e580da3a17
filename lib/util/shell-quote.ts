/** A word quoted for a POSIX shell: a script sent over ssh runs through sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
