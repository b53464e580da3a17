import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { PemPair } from './chia-ssl.js';

/** How the fake service answers one endpoint: a fixture's text, a status, and how long it waits first. */
export interface Answer {
  text: string;
  status?: number;
  delayMs?: number;
}

export interface FakeChiaService {
  port: number;
  /** `endpoint body` of every request that reached the handler, in order. */
  requests: string[];
  /** Endpoint → answer; tests change it between collector runs. */
  answers: Map<string, Answer>;
  /** Requests refused because the client certificate did not chain to the CA. */
  refusedHandshakes: number;
  close(): Promise<void>;
}

/**
 * One chia service as its RPC server behaves: HTTPS on 127.0.0.1, TLS 1.3 only, the daemon's
 * certificate, a client certificate required that chains to the private CA, POST with a JSON body.
 * Unknown endpoints get aiohttp's 404 text. The server closes itself after lifetimeMs.
 */
export async function startFakeChiaService(options: {
  ca: PemPair;
  server: PemPair;
  port?: number;
  lifetimeMs?: number;
}): Promise<FakeChiaService> {
  const requests: string[] = [];
  const answers = new Map<string, Answer>();
  const timers = new Set<NodeJS.Timeout>();
  const server = https.createServer(
    {
      ca: fs.readFileSync(options.ca.cert),
      cert: fs.readFileSync(options.server.cert),
      key: fs.readFileSync(options.server.key),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    },
    (request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        const endpoint = (request.url ?? '/').slice(1);
        requests.push(`${endpoint} ${body}`);
        const answer = request.method === 'POST' ? answers.get(endpoint) : undefined;
        const send = () => {
          if (answer === undefined) {
            response.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
            return;
          }
          response
            .writeHead(answer.status ?? 200, { 'content-type': answer.status ? 'text/plain' : 'application/json' })
            .end(answer.text);
        };
        if (answer?.delayMs) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            send();
          }, answer.delayMs);
          timers.add(timer);
        } else {
          send();
        }
      });
    },
  );
  const service: FakeChiaService = {
    port: 0,
    requests,
    answers,
    refusedHandshakes: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('tlsClientError', () => {
    service.refusedHandshakes += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  service.port = (server.address() as AddressInfo).port;
  const lifetime = setTimeout(() => void service.close(), options.lifetimeMs ?? 120_000);
  lifetime.unref();
  server.on('close', () => clearTimeout(lifetime));
  return service;
}

/** A fixture file of test/fixtures/chia-rpc as the answer's text, unchanged. */
export function fixtureAnswer(dir: string, file: string, extra: Omit<Answer, 'text'> = {}): Answer {
  return { text: fs.readFileSync(path.join(dir, file), 'utf8'), ...extra };
}
