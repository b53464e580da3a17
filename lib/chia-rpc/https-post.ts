import https from 'node:https';

/** An answer larger than this is not read: a broken or hostile service must not take the memory. */
export const MAX_RPC_ANSWER_BYTES = 256 * 1024 * 1024;

export interface PostOptions {
  body: string;
  agent: https.Agent;
  timeoutMs: number;
  maxBytes: number;
}

export type PostAnswer = { statusCode: number; text: string } | { tooLarge: true; bytes: number };

/** The whole call ran past its time: connect, TLS, request and answer. */
export class PostTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * One JSON POST over the given TLS agent, with node's https only: a cron run that calls a chia
 * service loads no HTTP library (got and its 40 modules cost a getfarm run some 80 ms). The
 * answer is read up to maxBytes and no further; the time bounds the whole call.
 */
export function postJson(url: string, options: PostOptions): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, {
      method: 'POST',
      agent: options.agent,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': Buffer.byteLength(options.body),
      },
    });
    const timer = setTimeout(() => request.destroy(new PostTimeout(options.timeoutMs)), options.timeoutMs);
    const settle = () => clearTimeout(timer);
    request.on('error', (error) => {
      settle();
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > options.maxBytes) {
          settle();
          request.destroy();
          resolve({ tooLarge: true, bytes });
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        settle();
        resolve({ statusCode: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => {
        settle();
        reject(error);
      });
    });
    request.end(options.body);
  });
}
