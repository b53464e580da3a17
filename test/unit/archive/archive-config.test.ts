import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigReader } from '../../../lib/config/config-reader.js';
import { parseTargetValue, TargetReader, targetsDir } from '../../../lib/archive/archive-targets.js';
import { makeTempHome } from '../../helpers/temp-home.js';

describe('archive config', () => {
  const home = makeTempHome();
  after(() => home.cleanup());
  const dir = targetsDir(home);
  fs.mkdirSync(dir, { recursive: true });
  const write = (name: string, content: string) => fs.writeFileSync(path.join(dir, name), content);

  it('parses local, a local root and [user@]host[:port]:/root', () => {
    assert.deepEqual(parseTargetValue('local'), { ok: true, place: { kind: 'local', root: null } });
    assert.deepEqual(parseTargetValue('/mnt/other/'), { ok: true, place: { kind: 'local', root: '/mnt/other' } });
    assert.deepEqual(parseTargetValue('farmer@10.0.0.5:2222:/farm'), {
      ok: true,
      place: { kind: 'remote', user: 'farmer', host: '10.0.0.5', port: 2222, root: '/farm' },
    });
    assert.deepEqual(parseTargetValue('harvester2:/srv/farm/'), {
      ok: true,
      place: { kind: 'remote', user: null, host: 'harvester2', port: null, root: '/srv/farm' },
    });
    assert.deepEqual(parseTargetValue('root@[fd00::5]:22:/farm'), {
      ok: true,
      place: { kind: 'remote', user: 'root', host: '[fd00::5]', port: 22, root: '/farm' },
    });
    for (const bad of [
      'harvester2',
      'host:70000:/farm',
      'host:farm',
      'host:/farm/$(rm -rf ~)',
      "/farm/'x",
      'user@:/farm',
    ]) {
      assert.deepEqual(
        parseTargetValue(bad),
        { ok: false, expected: 'local, an absolute path, or [user@]host[:port]:/root' },
        bad,
      );
    }
  });

  it('reads one target per file, names a bad file with its value once, and keeps the others', () => {
    write('h1.goplot', 'farmer@harvester1:/farm\n');
    write('h2.goplot', 'old\nharvester2:22\n');
    write('notes.txt', 'not a target');
    const said: string[] = [];
    const reader = new TargetReader(home, (level, message) => said.push(`${level}: ${message}`));
    const first = reader.read();
    reader.read();
    assert.deepEqual(
      first.map((target) => [target.name, target.hostKey]),
      [['h1', 'farmer@harvester1']],
    );
    assert.deepEqual(said, [
      `warn: ${path.join(dir, 'h2.goplot')}: invalid value "harvester2:22" (expected local, an absolute path, or [user@]host[:port]:/root); this target is skipped until it is fixed`,
    ]);
    write('h2.goplot', 'harvester2:22:/farm\n');
    assert.deepEqual(
      reader.read().map((target) => target.hostKey),
      ['farmer@harvester1', 'harvester2:22'],
    );
    fs.rmSync(path.join(dir, 'h2.goplot'));
  });

  it('validates the archive value files with the file and value named', () => {
    home.set('archive_staging', 'staging ssd/disk2');
    home.set('archive_bwlimit', '10MB');
    home.set('dest_farms', 'staging/disk1');
    const said: string[] = [];
    const config = new ConfigReader(home, (level, message) => said.push(`${level}: ${message}`));
    assert.equal(config.get('archive_staging'), 'staging ssd/disk2');
    assert.equal(config.get('archive_bwlimit'), 0);
    assert.equal(config.get('dest_farms'), '');
    assert.deepEqual(said, [
      `warn: ${path.join(home.configDir, 'archive_bwlimit.goplot')}: invalid value "10MB" (expected a whole number from 0 to 100000000); using 0 (the default)`,
      `warn: ${path.join(home.configDir, 'dest_farms.goplot')}: invalid value "staging/disk1" (expected farm names separated by spaces, or nothing); using (empty) (the default)`,
    ]);
    home.set('archive_staging', '../etc');
    assert.equal(config.get('archive_staging'), 'staging ssd/disk2', 'the last good value');
  });

  it('takes auto, ssh or an ssh cipher list for archive_cipher, and names anything else', () => {
    const said: string[] = [];
    const config = new ConfigReader(home, (level, message) => said.push(`${level}: ${message}`));
    assert.equal(config.get('archive_cipher'), 'auto');
    for (const good of ['ssh', 'aes256-gcm@openssh.com,chacha20-poly1305@openssh.com', '^aes128-gcm@openssh.com']) {
      home.set('archive_cipher', good);
      assert.equal(config.get('archive_cipher'), good);
    }
    home.set('archive_cipher', 'aes128-gcm -oProxyCommand=x');
    assert.equal(config.get('archive_cipher'), '^aes128-gcm@openssh.com', 'the last good value');
    assert.deepEqual(said, [
      `info: ${path.join(home.configDir, 'archive_cipher.goplot')}: missing, using the default auto`,
      `warn: ${path.join(home.configDir, 'archive_cipher.goplot')}: invalid value "aes128-gcm -oProxyCommand=x" (expected auto, ssh, or an ssh cipher list such as aes128-gcm@openssh.com,chacha20-poly1305@openssh.com); using ^aes128-gcm@openssh.com (the last good value)`,
    ]);
  });
});
