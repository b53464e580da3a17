// `npm run bench`: runs every bench/*.bench.js for real, one after the other, and writes their
// tables to bench/RESULTS.md under the machine and the date they were measured on.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/config/home.js';

const benchDir = path.join(PACKAGE_ROOT, 'bench');
const only = process.argv.slice(2);
const files = fs
  .readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.js') && (only.length === 0 || only.some((word) => name.includes(word))))
  .sort();

const machine = [
  `- date: ${new Date().toISOString()}`,
  `- machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, ${os.type()} ${os.release()}`,
  `- node ${process.version}; load average at start ${os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
];
const sections: string[] = [];
let failed = 0;
for (const file of files) {
  console.error(`bench: ${file} …`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [path.join(benchDir, file)], {
    encoding: 'utf8',
    timeout: 20 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) {
    failed++;
    sections.push(
      `## ${file}\n\nFAILED (exit ${result.status ?? result.signal}) after ${seconds} s:\n\n\`\`\`\n${(result.stderr ?? '').slice(-2000)}\n\`\`\``,
    );
  } else {
    sections.push(`## ${file} (${seconds} s)\n\n${result.stdout.trim()}`);
  }
  console.error(`bench: ${file} done in ${seconds} s`);
}
const text = `# Benchmark results\n\nWritten by \`npm run bench\`; every number below was measured by the run it names.\n\n${machine.join('\n')}\n\n${sections.join('\n\n')}\n`;
if (only.length === 0) fs.writeFileSync(path.join(benchDir, 'RESULTS.md'), text);
process.stdout.write(text);
process.exitCode = failed > 0 ? 1 : 0;
