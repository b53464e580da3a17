import { cronExpression, roleList, wholeNumber } from './value-parsers.js';
import { DAY, type Spec } from './value-spec.js';

/** What `npm start` runs and when, the harvester's watch and the notifications. */
export const SERVICE_VALUE_SPECS = {
  harvester_threshold: {
    default: 30,
    parse: wholeNumber(1, DAY),
    kind: 'config',
    help: 'seconds without an eligible line before the harvester counts as down',
  },
  diskhand_schedule: {
    default: '* * * * *',
    parse: cronExpression,
    kind: 'config',
    help: 'when `npm start` runs diskhand (cron)',
  },
  collector_schedule: {
    default: '* * * * *',
    parse: cronExpression,
    kind: 'config',
    help: 'when `npm start` runs the collectors (cron)',
  },
  role: {
    default: 'plotter,harvester,farmer',
    parse: roleList,
    kind: 'config',
    help: 'what this host does (plotter, harvester, farmer, any mix): `node scripts/start.js` runs only the parts those need',
  },
  notify_gap: {
    default: 300,
    parse: wholeNumber(0, DAY),
    kind: 'config',
    help: 'least seconds between two notifications of the same kind and subject',
  },
} satisfies Record<string, Spec<unknown>>;
