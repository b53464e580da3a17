import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  AES_GCM_FIRST,
  aesGcmFirstFor,
  aesGcmInCpuinfo,
  bulkCiphers,
  HostCiphers,
  hostCpuFile,
  localAesGcm,
} from '../../../lib/archive/bulk-cipher.js';

// first lines of /proc/cpuinfo as Linux writes them (x86: one `flags` line per CPU; ARM: `Features`)
const XEON =
  'processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme sse2 pclmulqdq ssse3 aes avx avx2\nbugs\t\t:\n';
const OLD_X86 = 'processor\t: 0\nflags\t\t: fpu vme sse2 ssse3\n';
const CORTEX_A76 =
  'processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics\n';
const CORTEX_A72 = 'processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n';

describe('whether a CPU does AES-GCM in hardware, from /proc/cpuinfo', () => {
  it('says yes for an x86 CPU with aes and pclmulqdq and an ARM one with aes and pmull', () => {
    assert.equal(aesGcmInCpuinfo(XEON), true);
    assert.equal(aesGcmInCpuinfo(CORTEX_A76), true);
  });

  it('says no for a CPU without them (a Raspberry Pi 4, an old x86), and null without a flags line', () => {
    assert.equal(aesGcmInCpuinfo(CORTEX_A72), false);
    assert.equal(aesGcmInCpuinfo(OLD_X86), false);
    assert.equal(aesGcmInCpuinfo('processor\t: 0\n'), null);
  });

  it("reads this machine's file, and says no when there is none", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-cpuinfo-'));
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));
    fs.writeFileSync(path.join(scratch, 'cpuinfo'), CORTEX_A76);
    assert.equal(localAesGcm(path.join(scratch, 'cpuinfo')), true);
    assert.equal(localAesGcm(path.join(scratch, 'missing')), false);
  });
});

describe("a transfer's ciphers (archive_cipher)", () => {
  it('auto puts AES-GCM first only when both CPUs do it, and waits for a host not surveyed yet', () => {
    assert.equal(bulkCiphers('auto', true, true), AES_GCM_FIRST);
    assert.equal(bulkCiphers('auto', true, false), null);
    assert.equal(bulkCiphers('auto', false, true), null);
    assert.equal(bulkCiphers('auto', false, undefined), null);
    assert.equal(bulkCiphers('auto', true, undefined), undefined);
  });

  it('leaves out a cipher this ssh does not know (it would refuse the whole list), and asks for none without a GCM one', () => {
    assert.equal(aesGcmFirstFor(null), AES_GCM_FIRST);
    // a FIPS build: no chacha20
    assert.equal(
      aesGcmFirstFor(['aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com']),
      'aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr',
    );
    assert.equal(aesGcmFirstFor(['chacha20-poly1305@openssh.com', 'aes128-ctr']), null);
  });

  it("asks this ssh what it knows once, and only when a host's batches need AES-GCM", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-ssh-q-'));
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));
    let asked = 0;
    const ciphers = new HostCiphers(hostCpuFile(scratch), true, () => {
      asked += 1;
      return ['aes128-gcm@openssh.com', 'chacha20-poly1305@openssh.com'];
    });
    assert.equal(ciphers.forHost('h1', 'auto'), undefined);
    ciphers.learn(
      new Map([
        ['h1', true],
        ['pi4', false],
      ]),
      'ssh',
      () => undefined,
    );
    assert.equal(ciphers.forHost('h1', 'ssh'), null);
    assert.equal(ciphers.forHost('pi4', 'auto'), null);
    assert.equal(asked, 0);
    assert.equal(ciphers.forHost('h1', 'auto'), 'aes128-gcm@openssh.com,chacha20-poly1305@openssh.com');
    assert.equal(ciphers.forHost('h1', 'auto'), 'aes128-gcm@openssh.com,chacha20-poly1305@openssh.com');
    assert.equal(asked, 1);
  });

  it('ssh leaves them to ssh, and a list is asked for as it is, whatever the CPUs', () => {
    assert.equal(bulkCiphers('ssh', true, true), null);
    assert.equal(bulkCiphers('aes256-gcm@openssh.com', false, undefined), 'aes256-gcm@openssh.com');
  });
});

describe("the hosts' CPU answers, kept between runs", () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-host-aes-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('saves a new or changed answer, says it once, and a new archiver knows it before any survey', () => {
    const file = hostCpuFile(scratch);
    const said: string[] = [];
    const first = new HostCiphers(file, true, () => null);
    assert.equal(first.forHost('h1', 'auto'), undefined);
    first.learn(
      new Map([
        ['h1', true],
        ['pi4', false],
      ]),
      'auto',
      (text) => said.push(text),
    );
    first.learn(new Map([['h1', true]]), 'auto', (text) => said.push(text));
    assert.deepEqual(said, [
      'h1: its CPU does AES-GCM in hardware; batches there ask ssh for aes128-gcm@openssh.com first (archive_cipher auto)',
      "pi4: its CPU does not do AES-GCM in hardware; batches there use ssh's own ciphers (archive_cipher auto)",
    ]);
    const again = new HostCiphers(file, true, () => null);
    assert.equal(again.forHost('h1', 'auto'), AES_GCM_FIRST);
    assert.equal(again.forHost('pi4', 'auto'), null);
  });

  it('takes a damaged file for no answers', () => {
    const file = path.join(scratch, 'damaged', 'host-aes.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, '{"h1": tru');
    assert.equal(new HostCiphers(file, true, () => null).forHost('h1', 'auto'), undefined);
    fs.writeFileSync(file, '{"h1": "yes", "h2": true}');
    assert.equal(new HostCiphers(file, true, () => null).forHost('h1', 'auto'), undefined);
    assert.equal(new HostCiphers(file, true, () => null).forHost('h2', 'auto'), AES_GCM_FIRST);
  });
});
