import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface RecordedRequest {
  method: string;
  /** Path and query, as the server saw them. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type RecorderAnswer =
  { kind: 'reply'; status: number; body?: unknown; headers?: Record<string, string> } | { kind: 'hang' };

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) that records every request and answers as it
 * is told: a status and body, or never (hang). down() closes the port so connections are refused.
 */
export interface HttpRecorder {
  url: string;
  requests: RecordedRequest[];
  /** Sets the answer for every following request; a function answers per request. */
  answer(answer: RecorderAnswer | ((request: RecordedRequest) => RecorderAnswer)): void;
  /** Stops listening (connection refused); the port is kept in `url`. */
  down(): Promise<void>;
  close(): Promise<void>;
}

export async function startHttpRecorder(): Promise<HttpRecorder> {
  let decide: (request: RecordedRequest) => RecorderAnswer = () => ({ kind: 'reply', status: 200, body: {} });
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = decide(recorded);
      if (answer.kind === 'hang') return;
      const text =
        answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const stop = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(answer) {
      decide = typeof answer === 'function' ? answer : () => answer;
    },
    down: stop,
    close: stop,
  };
}

/** For one test file: each call starts a recorder, and all of them are closed after the file. */
export function recordersOfThisFile(): () => Promise<HttpRecorder> {
  const recorders: HttpRecorder[] = [];
  after(async () => {
    for (const recorder of recorders) await recorder.close();
  });
  return async () => {
    const recorder = await startHttpRecorder();
    recorders.push(recorder);
    return recorder;
  };
}
