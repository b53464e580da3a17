import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { rolesOf } from '../../../lib/config/value-parsers.js';
import { makeTempHome } from '../../helpers/temp-home.js';

describe('config/role.goplot', () => {
  const home = makeTempHome();
  after(() => home.cleanup());
  const read = () => {
    const lines: string[] = [];
    const value = new ConfigReader(home, (level, message) => lines.push(`${level}: ${message}`), {}).get('role');
    return { value, lines };
  };

  it('is every role by default, as a host ran every part before roles existed', () => {
    const { value } = read();
    assert.equal(value, 'plotter,harvester,farmer');
    assert.deepEqual([...rolesOf(value)], ['plotter', 'harvester', 'farmer']);
  });

  it('takes any mix in any order, with spaces and repeats, as one list in a fixed order', () => {
    fs.writeFileSync(path.join(home.configDir, 'role.goplot'), 'harvester, plotter,harvester\n');
    assert.deepEqual(read(), { value: 'plotter,harvester', lines: [] });
  });

  it('refuses an unknown role, naming the file and the value, and runs every part meanwhile', () => {
    fs.writeFileSync(path.join(home.configDir, 'role.goplot'), 'plotter,fullnode\n');
    const { value, lines } = read();
    assert.equal(value, 'plotter,harvester,farmer');
    assert.deepEqual(lines, [
      `warn: ${home.configDir}/role.goplot: invalid value "plotter,fullnode" (expected one or more of plotter, harvester, farmer, separated by commas (e.g. plotter,harvester)); using plotter,harvester,farmer (the default)`,
    ]);
  });
});
