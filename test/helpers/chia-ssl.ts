import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const OPENSSL = process.env.OPENSSL || '/usr/bin/openssl';
/** The subject chia's create_ssl.py gives its node certificates; they name chia.net, never the host. */
const NODE_SUBJECT = '/CN=Chia/O=Chia/OU=Organic Farming Division';

export interface PemPair {
  cert: string;
  key: string;
}

/** A private CA as `chia init` makes one (RSA 2048, CN "Chia CA"), in a temp dir of its own. */
export function makeCa(dir: string, name = 'Chia CA'): PemPair {
  fs.mkdirSync(dir, { recursive: true });
  const pair = { cert: path.join(dir, 'private_ca.crt'), key: path.join(dir, 'private_ca.key') };
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '3650',
    '-keyout',
    pair.key,
    '-out',
    pair.cert,
    '-subj',
    `/CN=${name}/O=Chia/OU=Organic Farming Division`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return pair;
}

/** A node certificate signed by the CA, with chia's subject and its only name, DNS:chia.net. */
export function signNodeCert(ca: PemPair, certFile: string, keyFile: string): PemPair {
  fs.mkdirSync(path.dirname(certFile), { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chia-ssl-'));
  try {
    const csr = path.join(work, 'node.csr');
    const ext = path.join(work, 'ext.cnf');
    fs.writeFileSync(
      ext,
      'subjectAltName=DNS:chia.net\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n',
    );
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', NODE_SUBJECT]);
    openssl([
      'x509',
      '-req',
      '-sha256',
      '-days',
      '800',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      String(Math.floor(Math.random() * 2 ** 48)),
      '-extfile',
      ext,
      '-out',
      certFile,
    ]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { cert: certFile, key: keyFile };
}

/**
 * `<chiaRoot>/config/ssl/` as chia lays it out: ca/private_ca.{crt,key} and
 * <service>/private_<service>.{crt,key} for each service, the daemon's being the pair every
 * RPC server presents. Returns the CA and the daemon pair for the test's servers.
 */
export function makeChiaSsl(
  chiaRoot: string,
  services: string[] = ['full_node', 'farmer', 'harvester', 'wallet'],
): { ca: PemPair; daemon: PemPair } {
  const ssl = path.join(chiaRoot, 'config', 'ssl');
  const ca = makeCa(path.join(ssl, 'ca'));
  const pair = (service: string) =>
    signNodeCert(
      ca,
      path.join(ssl, service, `private_${service}.crt`),
      path.join(ssl, service, `private_${service}.key`),
    );
  const daemon = pair('daemon');
  for (const service of services) pair(service);
  return { ca, daemon };
}

/** config/config.yaml with chia's shape for what the RPC client reads (the anchor as chia writes it). */
export function writeChiaConfig(chiaRoot: string, host: string, ports: Record<string, number>): void {
  const sections = Object.entries(ports).map(
    ([service, port]) => `${service}:\n  self_hostname: *self_hostname\n  rpc_port: ${port}\n`,
  );
  fs.mkdirSync(path.join(chiaRoot, 'config'), { recursive: true });
  fs.writeFileSync(
    path.join(chiaRoot, 'config', 'config.yaml'),
    `min_mainnet_k_size: 32\nself_hostname: &self_hostname ${host}\ndaemon_port: 55400\n${sections.join('')}`,
  );
}

function openssl(args: string[]): void {
  execFileSync(OPENSSL, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}
