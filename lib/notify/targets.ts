import type { HomePaths } from '../config/home.js';
import { readSecret, type SecretLog } from '../config/read-secret.js';

export const NOTIFY_EVENTS = [
  'plot_started',
  'plot_finished',
  'plot_failed',
  'disk_full',
  'disk_unmounted',
  'harvester_down',
  'harvester_up',
  'replot_removed',
  'archive_target_down',
  'archive_target_up',
  'archive_target_full',
] as const;
export type NotifyEventKind = (typeof NOTIFY_EVENTS)[number];

export interface NotifyMessage {
  event: NotifyEventKind;
  subject: string;
  host: string;
  text: string;
  /** Unix seconds. */
  time: number;
}

/** What got is asked to send; kept as data so tests and logs can look at it. */
export interface TargetRequest {
  url: string;
  json?: unknown;
  form?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
}

export interface NotifyTarget {
  /** Short id for state files: webhook, discord, … */
  id: string;
  /** How it is named in the log: the service and its secret file, never the secret. */
  label: string;
  /** Strings to redact from any error text. */
  secrets: string[];
  request(message: NotifyMessage): TargetRequest;
}

const TELEGRAM_API = 'https://api.telegram.org';
const PUSHOVER_API = 'https://api.pushover.net';

/** Each target is on when its secret file (config/notify_<id>) holds something, off otherwise. */
export function readNotifyTargets(
  paths: HomePaths,
  log: SecretLog,
  env: NodeJS.ProcessEnv = process.env,
): NotifyTarget[] {
  const targets: NotifyTarget[] = [];
  const secret = (name: string) => readSecret(paths, name, log);
  const problem = (name: string, expected: string) =>
    log.warn(`config/${name}: expected ${expected}; this notification target is off until it is fixed`);

  const webhook = secret('notify_webhook');
  if (webhook !== null) {
    if (!isHttpUrl(webhook)) problem('notify_webhook', 'an http(s) URL');
    else
      targets.push({
        id: 'webhook',
        label: 'webhook (config/notify_webhook)',
        secrets: [webhook],
        request: (m) => ({
          url: webhook,
          json: { event: m.event, subject: m.subject, host: m.host, text: m.text, time: m.time },
        }),
      });
  }

  const discord = secret('notify_discord');
  if (discord !== null) {
    if (!isHttpUrl(discord)) problem('notify_discord', 'a Discord webhook URL');
    else
      targets.push({
        id: 'discord',
        label: 'Discord (config/notify_discord)',
        secrets: [discord],
        // Discord rejects content over 2000 characters.
        request: (m) => ({ url: discord, json: { content: cut(`**${m.host}** ${m.event}: ${m.text}`, 2000) } }),
      });
  }

  const telegram = secret('notify_telegram');
  if (telegram !== null) {
    const [token, chatId, extra] = telegram.split(/\s+/);
    if (!token || !chatId || extra !== undefined) problem('notify_telegram', 'BOT_TOKEN CHAT_ID on one line');
    else {
      const api = (env.GOPLOT_TELEGRAM_API || TELEGRAM_API).replace(/\/+$/, '');
      targets.push({
        id: 'telegram',
        label: 'Telegram (config/notify_telegram)',
        secrets: [token, chatId],
        request: (m) => ({
          url: `${api}/bot${token}/sendMessage`,
          json: { chat_id: chatId, text: cut(`${m.host} ${m.event}: ${m.text}`, 4096) },
        }),
      });
    }
  }

  const pushover = secret('notify_pushover');
  if (pushover !== null) {
    const [token, user, extra] = pushover.split(/\s+/);
    if (!token || !user || extra !== undefined) problem('notify_pushover', 'APP_TOKEN USER_KEY on one line');
    else {
      const api = (env.GOPLOT_PUSHOVER_API || PUSHOVER_API).replace(/\/+$/, '');
      targets.push({
        id: 'pushover',
        label: 'Pushover (config/notify_pushover)',
        secrets: [token, user],
        request: (m) => ({
          url: `${api}/1/messages.json`,
          form: {
            token,
            user,
            title: cut(`goplot ${m.host}: ${m.event}`, 250),
            message: cut(m.text, 1024),
            timestamp: String(m.time),
          },
        }),
      });
    }
  }

  const ntfy = secret('notify_ntfy');
  if (ntfy !== null) {
    if (!isHttpUrl(ntfy)) problem('notify_ntfy', 'an ntfy topic URL such as https://ntfy.sh/my-farm');
    else
      targets.push({
        id: 'ntfy',
        label: 'ntfy (config/notify_ntfy)',
        secrets: [ntfy],
        request: (m) => ({
          url: ntfy,
          body: m.text,
          headers: {
            Title: headerSafe(`goplot ${m.host}: ${m.event}`),
            Tags:
              m.event.includes('fail') ||
              m.event.includes('down') ||
              m.event.includes('full') ||
              m.event.includes('unmounted')
                ? 'warning'
                : 'seedling',
          },
        }),
      });
  }
  return targets;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** HTTP header values must be one line of printable ASCII. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
