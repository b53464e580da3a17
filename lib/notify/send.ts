import os from 'node:os';
import path from 'node:path';
import type { OptionsOfTextResponseBody } from 'got';
import type { HomePaths } from '../config/home.js';
import { describeFailure } from '../util/describe-failure.js';
import { createOutageTracker, type OutageLog } from '../util/outage.js';
import { claimNotification } from './rate-limit.js';
import {
  readNotifyTargets,
  type NotifyEventKind,
  type NotifyMessage,
  type NotifyTarget,
  type TargetRequest,
} from './targets.js';
import { errorMessage } from '../util/error-message.js';

export const DEFAULT_HTTP_TIMEOUT_MS = 2000;

export interface NotifierOptions {
  paths: HomePaths;
  log: OutageLog;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** notify_gap, read when each event is sent so a change applies at once. */
  gapSeconds: () => number;
  host?: string;
  timeoutMs?: number;
}

export interface NotifyOutcome {
  sent: string[];
  failed: string[];
  /** Why nothing was sent, when nothing was. */
  skipped?: 'no targets' | 'too soon' | 'busy';
}

export interface Notifier {
  /** Sends to every configured target in parallel; never rejects, resolves within the timeout. */
  notify(kind: NotifyEventKind, subject: string, text: string): Promise<NotifyOutcome>;
}

/** State (rate limits, outages) lives under `<home>/logs/.notify/`, shared by every process of the home. */
export function notifyStateDir(paths: HomePaths): string {
  return path.join(paths.logsDir, '.notify');
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { paths, log } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const host = options.host ?? os.hostname();
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const stateDir = notifyStateDir(paths);
  const outages = createOutageTracker(stateDir, log);

  const sendOne = async (target: NotifyTarget, message: NotifyMessage): Promise<boolean> => {
    try {
      const request = target.request(message);
      // loaded with the first message: a process that sends none never loads the HTTP library
      const { got } = await import('got');
      await got.post(request.url, toGotOptions(request, timeoutMs));
      outages.succeeded(`notify-${target.id}`, target.label);
      return true;
    } catch (error) {
      outages.failed(
        `notify-${target.id}`,
        target.label,
        describeFailure(error, target.secrets, timeoutMs),
        'notifications to it are lost meanwhile',
      );
      return false;
    }
  };

  return {
    async notify(kind, subject, text) {
      try {
        const targets = readNotifyTargets(paths, log, env);
        if (targets.length === 0) return { sent: [], failed: [], skipped: 'no targets' };
        const claim = claimNotification(stateDir, kind, subject, options.gapSeconds(), now());
        if (!claim.send) return { sent: [], failed: [], skipped: claim.reason };
        const message: NotifyMessage = { event: kind, subject, host, text, time: Math.floor(now() / 1000) };
        const results = await Promise.all(targets.map((target) => sendOne(target, message)));
        const sent = targets.filter((_, i) => results[i]).map((target) => target.id);
        const failed = targets.filter((_, i) => !results[i]).map((target) => target.id);
        if (sent.length > 0) log.info(`notification ${kind} (${subject}) sent to ${sent.join(', ')}`);
        return { sent, failed };
      } catch (error) {
        // A full disk or unreadable state dir must not stop a plot or a cron run.
        log.warn(`notification ${kind} (${subject}) not sent: ${errorMessage(error)}`);
        return { sent: [], failed: [], skipped: 'busy' };
      }
    },
  };
}

function toGotOptions(request: TargetRequest, timeoutMs: number): OptionsOfTextResponseBody {
  const options: OptionsOfTextResponseBody = {
    timeout: { request: timeoutMs },
    retry: { limit: 0 },
    headers: { 'user-agent': 'goplot-ts', ...request.headers },
  };
  if (request.json !== undefined) options.json = request.json as Record<string, unknown>;
  if (request.form !== undefined) options.form = request.form;
  if (request.body !== undefined) {
    options.body = request.body;
    options.headers = { 'content-type': 'text/plain; charset=utf-8', ...options.headers };
  }
  return options;
}
