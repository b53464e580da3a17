import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const SSHD_BIN = process.env.SSHD || '/usr/sbin/sshd';

export interface SshServer {
  port: number;
  child: ChildProcess;
  /** What the server logged: all of it with `keepLog`, else its last lines. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Real OpenSSH servers on 127.0.0.1 for the archiver's tests and bench (test/helpers/sshd.ts
 * re-exports this; it lives here because the bench is built by tsc and the tests are not): one host key and one client key
 * made with ssh-keygen in a temp dir, an ssh_config the archiver is pointed at (archive_ssh_config)
 * with that key and a known_hosts naming each server, so nothing of the user's ~/.ssh is used.
 */
export interface SshWorld {
  dir: string;
  /** Who the servers let in: the user running the tests. */
  user: string;
  /** The client's ssh_config: archive_ssh_config. */
  clientConfig: string;
  /** `keepLog`: the server logs at DEBUG1 (each connection's ciphers among it) and keeps all it logs. */
  start(options?: { keepLog?: boolean }): Promise<SshServer>;
  cleanup(): Promise<void>;
}

function keygen(file: string): void {
  const result = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'goplot-test', '-f', file]);
  if (result.status !== 0) throw new Error(`ssh-keygen failed: ${String(result.stderr)}`);
}

async function sshBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(String(data).startsWith('SSH-2.0'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function makeSshWorld(): SshWorld {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goplot-sshd-'));
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, '');
  const clientConfig = path.join(dir, 'ssh_config');
  fs.writeFileSync(
    clientConfig,
    [
      'Host 127.0.0.1',
      `  User ${os.userInfo().username}`,
      `  IdentityFile ${path.join(dir, 'client_key')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const servers: SshServer[] = [];
  const hostKeyLine = fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  // sshd refuses to start without its privilege separation dir (made by the package's service)
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  return {
    dir,
    user: os.userInfo().username,
    clientConfig,
    async start(options = {}) {
      const port = await freePort();
      const config = path.join(dir, `sshd_config.${port}`);
      fs.writeFileSync(
        config,
        [
          'ListenAddress 127.0.0.1',
          `HostKey ${path.join(dir, 'host_key')}`,
          `PidFile ${path.join(dir, `sshd.${port}.pid`)}`,
          `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
          'StrictModes no',
          'UsePAM no',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PubkeyAuthentication yes',
          'PermitRootLogin prohibit-password',
          'MaxStartups 100:30:200',
          ...(options.keepLog ? ['LogLevel DEBUG1'] : []),
          '',
        ].join('\n'),
      );
      fs.appendFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKeyLine}\n`);
      const child = spawn(SSHD_BIN, ['-D', '-e', '-f', config, '-p', String(port)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr = options.keepLog ? stderr + String(chunk) : (stderr + String(chunk)).slice(-2000);
      });
      await waitFor(
        `sshd on port ${port} (${stderr})`,
        async () => (child.exitCode === null ? sshBanner(port) : Promise.reject(new Error(`sshd exited: ${stderr}`))),
        15_000,
        100,
      );
      const server: SshServer = {
        port,
        child,
        log: () => stderr,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) {
            child.stderr?.destroy();
            return;
          }
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
          // a session still served (an ssh master connection lingering for ControlPersist) keeps
          // the listener's stderr open: the caller must not wait for it
          child.stderr?.destroy();
        },
      };
      servers.push(server);
      return server;
    },
    async cleanup() {
      await Promise.all(servers.map((server) => server.stop()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
