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

/** One kind of target: its secret file is config/notify_<id>; `make` returns null when the file's content is not what `expected` says. */
interface TargetKind {
  id: string;
  service: string;
  expected: string;
  make(secret: string, env: NodeJS.ProcessEnv): Pick<NotifyTarget, 'secrets' | 'request'> | null;
}

type MakeTarget = TargetKind['make'];

/** Webhook, Discord and ntfy all take one http(s) URL as the secret and post to it. */
function urlTarget(request: (url: string, m: NotifyMessage) => TargetRequest): MakeTarget {
  return (url) => (isHttpUrl(url) ? { secrets: [url], request: (m) => request(url, m) } : null);
}

/**
 * Telegram and Pushover both take "TOKEN ID" on one line and call a fixed API,
 * whose base an env var may replace so tests can point it at a local server.
 */
function tokenTarget(
  apiEnv: string,
  defaultApi: string,
  request: (api: string, token: string, id: string, m: NotifyMessage) => TargetRequest,
): MakeTarget {
  return (secret, env) => {
    const [token, id, extra] = secret.split(/\s+/);
    if (!token || !id || extra !== undefined) return null;
    const api = (env[apiEnv] || defaultApi).replace(/\/+$/, '');
    return { secrets: [token, id], request: (m) => request(api, token, id, m) };
  };
}

const TARGET_KINDS: TargetKind[] = [
  {
    id: 'webhook',
    service: 'webhook',
    expected: 'an http(s) URL',
    make: urlTarget((url, m) => ({
      url,
      json: { event: m.event, subject: m.subject, host: m.host, text: m.text, time: m.time },
    })),
  },
  {
    id: 'discord',
    service: 'Discord',
    expected: 'a Discord webhook URL',
    // Discord rejects content over 2000 characters.
    make: urlTarget((url, m) => ({ url, json: { content: cut(`**${m.host}** ${m.event}: ${m.text}`, 2000) } })),
  },
  {
    id: 'telegram',
    service: 'Telegram',
    expected: 'BOT_TOKEN CHAT_ID on one line',
    make: tokenTarget('GOPLOT_TELEGRAM_API', TELEGRAM_API, (api, token, chatId, m) => ({
      url: `${api}/bot${token}/sendMessage`,
      json: { chat_id: chatId, text: cut(`${m.host} ${m.event}: ${m.text}`, 4096) },
    })),
  },
  {
    id: 'pushover',
    service: 'Pushover',
    expected: 'APP_TOKEN USER_KEY on one line',
    make: tokenTarget('GOPLOT_PUSHOVER_API', PUSHOVER_API, (api, token, user, m) => ({
      url: `${api}/1/messages.json`,
      form: {
        token,
        user,
        title: cut(`goplot ${m.host}: ${m.event}`, 250),
        message: cut(m.text, 1024),
        timestamp: String(m.time),
      },
    })),
  },
  {
    id: 'ntfy',
    service: 'ntfy',
    expected: 'an ntfy topic URL such as https://ntfy.sh/my-farm',
    make: urlTarget((url, m) => ({
      url,
      body: m.text,
      headers: {
        Title: headerSafe(`goplot ${m.host}: ${m.event}`),
        Tags: isBadNews(m.event) ? 'warning' : 'seedling',
      },
    })),
  },
];

/** Each target is on when its secret file (config/notify_<id>) holds something, off otherwise. */
export function readNotifyTargets(
  paths: HomePaths,
  log: SecretLog,
  env: NodeJS.ProcessEnv = process.env,
): NotifyTarget[] {
  const targets: NotifyTarget[] = [];
  for (const kind of TARGET_KINDS) {
    const name = `notify_${kind.id}`;
    const secret = readSecret(paths, name, log);
    if (secret === null) continue;
    const made = kind.make(secret, env);
    if (made) targets.push({ id: kind.id, label: `${kind.service} (config/${name})`, ...made });
    else log.warn(`config/${name}: expected ${kind.expected}; this notification target is off until it is fixed`);
  }
  return targets;
}

function isBadNews(event: NotifyEventKind): boolean {
  return event.includes('fail') || event.includes('down') || event.includes('full') || event.includes('unmounted');
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
