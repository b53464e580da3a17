/** What a service for one home needs to know. */
export interface ServiceSettings {
  /** The user the suite runs as (it owns the home). */
  user: string;
  group: string;
  home: string;
  /** The node binary, by full path: a service has no login shell's PATH. */
  node: string;
  /** The package root, where scripts/start.js is. */
  packageRoot: string;
}

/** The values of the example files in deploy/ (a dedicated user, the home under /var/lib). */
export const EXAMPLE_SETTINGS: ServiceSettings = {
  user: 'goplot',
  group: 'goplot',
  home: '/var/lib/goplot',
  node: '/usr/bin/node',
  packageRoot: '/opt/goplot-ts',
};

/**
 * The systemd unit: `node scripts/start.js` itself (npm would keep a process of its own alive
 * beside it), restarted when it fails, after the network (chia, Grafana) and the local mounts
 * (the farm's disks). KillMode=process: a stop or restart of the suite must never stop running
 * plots, which live in the unit's control group; start.js stops its loop and harvesterlog itself,
 * and they also stop by themselves if start.js dies.
 */
export function renderUnit(settings: ServiceSettings): string {
  return `# goplot-ts for the home ${settings.home}: the loop, harvesterlog, diskhand and the collectors.
# \`goplot install-service\` writes this file for a user and a home; see docs/service.md, "Running as a service".
[Unit]
Description=goplot-ts plotting manager and farm monitor (${settings.home})
After=network-online.target local-fs.target
Wants=network-online.target
RequiresMountsFor=${settings.home}

[Service]
Type=simple
User=${settings.user}
Group=${settings.group}
Environment=GOPLOT_HOME=${settings.home}
# diskhand runs inside start.js: more threads for disk calls than libuv's 4, so hung disks cannot take them all
Environment=UV_THREADPOOL_SIZE=64
WorkingDirectory=${settings.home}
ExecStart=${settings.node} ${settings.packageRoot}/scripts/start.js
Restart=on-failure
RestartSec=10
# stop only start.js: running plots belong to this unit's control group and must keep running
KillMode=process
TimeoutStopSec=30

[Install]
WantedBy=multi-user.target
`;
}

/**
 * logrotate for the home's logs. copytruncate: every writer keeps its file open with O_APPEND,
 * so a truncated file is simply written on from its new end (no signal to send, no reopen).
 * A week or 20 MiB, whichever comes first when logrotate runs, eight old files kept compressed:
 * with diskhand_log=changes a farm's logs grow by a few MiB a week. The plot logs on the disks
 * are not rotated: goplot analyze reads them.
 */
export function renderLogrotate(settings: Pick<ServiceSettings, 'user' | 'group' | 'home'>): string {
  return `# goplot-ts logs of the home ${settings.home}; \`goplot install-service\` writes this file for a user and a home.
${settings.home}/logs/*.log {
    su ${settings.user} ${settings.group}
    weekly
    maxsize 20M
    rotate 8
    compress
    delaycompress
    missingok
    notifempty
    copytruncate
}
`;
}
