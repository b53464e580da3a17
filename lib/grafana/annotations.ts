import type { Got } from 'got';
import { describeFailure, showOrigin } from '../util/describe-failure.js';
import type { OutageTracker } from '../util/outage.js';

export type PlotEndTag = 'plot_end' | 'plot_fail';

export interface AnnotationsClientOptions {
  /** grafana_url, without a trailing slash. */
  url: string;
  token: string | null;
  host: string;
  timeoutMs: number;
  outages: OutageTracker;
}

export interface AnnotationsClient {
  /** Opens the plot's region; resolves to its id, or null when Grafana did not take it. Never rejects. */
  start(timeMs: number, text: string, extraTags?: string[]): Promise<number | null>;
  /**
   * Closes the region: PATCHes its end, or, when the start never reached Grafana, creates the
   * whole region now so the plot still shows. Never rejects.
   */
  end(
    id: number | null,
    startMs: number,
    endMs: number,
    tag: PlotEndTag,
    text: string,
    extraTags?: string[],
  ): Promise<boolean>;
}

/** Grafana's annotations HTTP API: POST /api/annotations, PATCH /api/annotations/:id. */
export function createAnnotationsClient(options: AnnotationsClientOptions): AnnotationsClient {
  const { url, token, host, timeoutMs, outages } = options;
  const label = `Grafana annotations (${showOrigin(url)})`;
  const secrets = token ? [token] : [];
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const request = { headers, timeout: { request: timeoutMs }, retry: { limit: 0 } };
  const consequence = 'plots go on without annotations';

  const call = async <T>(send: (got: Got) => Promise<T>): Promise<T | null> => {
    try {
      // loaded with the first annotation: a process that writes none never loads the HTTP library
      const { got } = await import('got');
      const result = await send(got);
      outages.succeeded('grafana', label);
      return result;
    } catch (error) {
      const hint = token ? '' : ' (no token: config/grafana_token is missing or empty)';
      outages.failed('grafana', label, `${describeFailure(error, secrets, timeoutMs)}${hint}`, consequence);
      return null;
    }
  };

  return {
    async start(timeMs, text, extraTags = []) {
      const answer = await call((got) =>
        got
          .post(`${url}/api/annotations`, {
            ...request,
            json: { time: timeMs, tags: ['goplot', 'plot_start', host, ...extraTags], text },
          })
          .json<{ id?: unknown }>(),
      );
      return typeof answer?.id === 'number' ? answer.id : null;
    },
    async end(id, startMs, endMs, tag, text, extraTags = []) {
      const tags = ['goplot', tag, host, ...extraTags];
      const done =
        id === null
          ? await call((got) =>
              got.post(`${url}/api/annotations`, { ...request, json: { time: startMs, timeEnd: endMs, tags, text } }),
            )
          : await call((got) =>
              got.patch(`${url}/api/annotations/${id}`, { ...request, json: { timeEnd: endMs, tags, text } }),
            );
      return done !== null;
    },
  };
}
