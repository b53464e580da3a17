import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topLevelPackages } from '../../../build/top-level-packages.js';

describe("a bundle's packages imported at its top", () => {
  it('names each package a bundle imports at its top, on one line or several', () => {
    const bundle = [
      '#!/usr/bin/env node',
      'import fs from "node:fs";',
      'import chokidar from "chokidar";',
      'import {',
      '  execa,',
      '  execaNode',
      '} from "execa";',
      'import { parseISO } from "date-fns/parseISO";',
      'var x = 1;',
    ].join('\n');
    assert.deepEqual(topLevelPackages(bundle), ['chokidar', 'execa', 'date-fns/parseISO']);
  });

  it("names none for node's builtins, a dynamic import or a require inside the code", () => {
    const bundle = [
      'import path from "node:path";',
      'import { createRequire } from "node:module";',
      'async function later() {',
      '  const { execa } = await import("execa");',
      '  return createRequire(import.meta.url)("chokidar");',
      '}',
    ].join('\n');
    assert.deepEqual(topLevelPackages(bundle), []);
  });
});
