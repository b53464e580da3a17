/**
 * The packages a bundle imports at its top (node's builtins aside): an ES module loads those before
 * it runs a line, so each would load with every run of the entry, --help included.
 */
export function topLevelPackages(bundle: string): string[] {
  return [...bundle.matchAll(/^import\b[^;]*?\bfrom\s*"([^".][^"]*)"/gm)]
    .map((match) => match[1]!)
    .filter((specifier) => !specifier.startsWith('node:'));
}
