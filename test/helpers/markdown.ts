import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../lib/config/home.js';

/** A markdown file of the repository: its path from the package root and its text. */
export interface DocFile {
  file: string;
  text: string;
}

const FENCE = /^ *```[^\n]*\n([\s\S]*?)^ *```$/gm;

/** README.md and every docs/*.md: what a farmer reads. */
export function farmerDocs(): DocFile[] {
  const docs = fs
    .readdirSync(path.join(PACKAGE_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs].map((file) => ({ file, text: fs.readFileSync(path.join(PACKAGE_ROOT, file), 'utf8') }));
}

/** The text with its fenced blocks left out (prose, tables and inline code). */
export function withoutFences(text: string): string {
  return text.replace(FENCE, '');
}

/**
 * Every piece of code a reader may copy: each line of a fenced block (its shell comment cut off)
 * and each inline code span, with a table's escaped `\|` read as the `|` it shows.
 */
export function codeSnippets(text: string): string[] {
  const snippets: string[] = [];
  for (const match of text.matchAll(FENCE)) {
    for (const line of match[1].split('\n')) snippets.push(line.replace(/(^|\s)#.*$/, '').trim());
  }
  for (const match of withoutFences(text).matchAll(/`([^`\n]+)`/g)) snippets.push(match[1].replace(/\\\|/g, '|'));
  return snippets.filter((snippet) => snippet !== '');
}

/** The fenced block right after `<!-- doc-test: NAME -->`, by name: the blocks a test runs. */
export function testedBlocks(docs: DocFile[]): Map<string, { file: string; script: string }> {
  const blocks = new Map<string, { file: string; script: string }>();
  for (const { file, text } of docs) {
    for (const match of text.matchAll(/<!-- doc-test: ([\w-]+) -->\n\n```sh\n([\s\S]*?)^```$/gm)) {
      if (blocks.has(match[1])) throw new Error(`doc-test ${match[1]} is marked twice (${file})`);
      blocks.set(match[1], { file, script: match[2] });
    }
  }
  return blocks;
}

/** Each markdown link's target, as written. */
export function linkTargets(text: string): string[] {
  return [...withoutFences(text).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as `-`, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutFences(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = match[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** One shell command line cut into its statements (at `&&`, `||`, `;` and pipes) and words. */
export function statements(snippet: string): string[][] {
  // a quoted argument (a command template, a rule) is one word, whatever options it holds
  return snippet
    .replace(/'[^']*'|"[^"]*"/g, 'QUOTED')
    .split(/\s(?:&&|\|\||\|)\s|;\s*/)
    .map((part) => part.trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0);
}
