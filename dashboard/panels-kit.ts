/**
 * The few Grafana dashboard JSON shapes the goplot dashboard needs, as plain typed objects (schema
 * of Grafana 10/11, schemaVersion 39), and a layout that places panels on Grafana's 24-column grid.
 */

export const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' } as const;
export type Datasource = typeof PROMETHEUS;

export const PANEL_TYPES = ['timeseries', 'stat', 'gauge', 'table', 'row'] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

export interface Target {
  refId: string;
  datasource: Datasource;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  format?: 'time_series' | 'table';
}

export interface ThresholdStep {
  color: string;
  value: number | null;
}

export interface ValueText {
  text: string;
  color: string;
}

export interface FieldDefaults {
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  color?: { mode: string; fixedColor?: string };
  thresholds?: { mode: 'absolute' | 'percentage'; steps: ThresholdStep[] };
  mappings?: { type: 'value'; options: Record<string, ValueText & { index: number }> }[];
  custom?: Record<string, unknown>;
}

export interface Override {
  matcher: { id: 'byFrameRefID' | 'byName'; options: string };
  properties: { id: string; value: unknown }[];
}

export interface Panel {
  id: number;
  type: PanelType;
  title: string;
  description?: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: Datasource;
  interval?: string;
  targets?: Target[];
  fieldConfig?: { defaults: FieldDefaults; overrides: Override[] };
  options?: Record<string, unknown>;
  transformations?: { id: string; options: Record<string, unknown> }[];
  collapsed?: boolean;
  panels?: Panel[];
}

/** A panel before layout: the grid position, ids and refIds are filled in by layOut. */
export type PanelSpec = Omit<Panel, 'id' | 'gridPos' | 'targets'> & {
  w: number;
  h: number;
  targets?: Omit<Target, 'refId'>[];
};

export interface QueryOptions {
  legend?: string;
  /** An instant query for tables and "now" stats. */
  instant?: boolean;
}

export function query(expr: string, options: QueryOptions = {}): Omit<Target, 'refId'> {
  const target: Omit<Target, 'refId'> = { datasource: PROMETHEUS, expr };
  if (options.legend !== undefined) target.legendFormat = options.legend;
  if (options.instant) Object.assign(target, { instant: true, range: false, format: 'table' as const });
  return target;
}

export interface LookOptions {
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  description?: string;
  /** Threshold steps as [value, color]; the first applies from minus infinity. */
  steps?: [number | null, string][];
  /** Value mappings: raw value -> text and colour (e.g. 1 -> up/green). */
  map?: Record<string, ValueText>;
  overrides?: Override[];
  w?: number;
  h?: number;
}

function defaults(look: LookOptions, custom?: Record<string, unknown>): FieldDefaults {
  const result: FieldDefaults = {};
  if (look.unit !== undefined) result.unit = look.unit;
  if (look.min !== undefined) result.min = look.min;
  if (look.max !== undefined) result.max = look.max;
  if (look.decimals !== undefined) result.decimals = look.decimals;
  result.thresholds = {
    mode: 'absolute',
    steps: (look.steps ?? [[null, 'green']]).map(([value, color]) => ({ color, value })),
  };
  if (look.map) {
    result.mappings = [
      {
        type: 'value',
        options: Object.fromEntries(Object.entries(look.map).map(([raw, text], index) => [raw, { ...text, index }])),
      },
    ];
  }
  if (custom) result.custom = custom;
  return result;
}

function base(
  type: PanelType,
  title: string,
  targets: Omit<Target, 'refId'>[],
  look: LookOptions,
  w: number,
  h: number,
): PanelSpec {
  const spec: PanelSpec = { type, title, w: look.w ?? w, h: look.h ?? h, datasource: PROMETHEUS, targets };
  if (look.description) spec.description = look.description;
  return spec;
}

const REDUCE_LAST = { calcs: ['lastNotNull'], fields: '', values: false };

export function timeseries(
  title: string,
  targets: Omit<Target, 'refId'>[],
  look: LookOptions & { bars?: boolean; stepped?: boolean } = {},
): PanelSpec {
  const custom: Record<string, unknown> = {
    drawStyle: look.bars ? 'bars' : 'line',
    lineInterpolation: look.stepped ? 'stepAfter' : 'linear',
    lineWidth: 1,
    fillOpacity: look.bars ? 80 : 10,
    showPoints: 'never',
    spanNulls: false,
    thresholdsStyle: { mode: look.steps && look.steps.length > 1 ? 'line' : 'off' },
  };
  return {
    ...base('timeseries', title, targets, look, 12, 8),
    fieldConfig: {
      defaults: { ...defaults(look, custom), color: { mode: 'palette-classic' } },
      overrides: look.overrides ?? [],
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'none' },
    },
  };
}

export function stat(title: string, targets: Omit<Target, 'refId'>[], look: LookOptions = {}): PanelSpec {
  return {
    ...base('stat', title, targets, look, 4, 4),
    fieldConfig: { defaults: defaults(look), overrides: look.overrides ?? [] },
    options: {
      reduceOptions: REDUCE_LAST,
      colorMode: 'value',
      graphMode: 'none',
      justifyMode: 'auto',
      orientation: 'auto',
      textMode: 'auto',
    },
  };
}

export function gauge(title: string, targets: Omit<Target, 'refId'>[], look: LookOptions = {}): PanelSpec {
  return {
    ...base('gauge', title, targets, look, 4, 6),
    fieldConfig: { defaults: defaults(look), overrides: look.overrides ?? [] },
    options: {
      reduceOptions: REDUCE_LAST,
      orientation: 'auto',
      showThresholdLabels: false,
      showThresholdMarkers: true,
    },
  };
}

/** A table of instant queries; labels become columns, `hide` lists columns to leave out. */
export function table(
  title: string,
  targets: Omit<Target, 'refId'>[],
  look: LookOptions & { hide?: string[]; rename?: Record<string, string> } = {},
): PanelSpec {
  const exclude = Object.fromEntries(['Time', '__name__', 'job', ...(look.hide ?? [])].map((name) => [name, true]));
  return {
    ...base('table', title, targets, look, 12, 8),
    fieldConfig: { defaults: defaults(look), overrides: look.overrides ?? [] },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } },
    transformations: [
      ...(targets.length > 1 ? [{ id: 'merge', options: {} }] : []),
      { id: 'organize', options: { excludeByName: exclude, renameByName: look.rename ?? {} } },
    ],
  };
}

export function row(title: string): PanelSpec {
  return { type: 'row', title, w: 24, h: 1, collapsed: false, panels: [] };
}

/** Draws the `refId` series (a limit such as max_plots) as a dashed red line. */
export function limitLine(refId: string): Override {
  return {
    matcher: { id: 'byFrameRefID', options: refId },
    properties: [
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.fillOpacity', value: 0 },
      { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
    ],
  };
}

/** Left to right, wrapping at 24 columns; a row starts a new line. Ids and refIds in order. */
export function layOut(specs: PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  return specs.map((spec, index) => {
    const { w, h, targets, ...rest } = spec;
    if (spec.type === 'row' || x + w > 24) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const panel: Panel = { ...rest, id: index + 1, gridPos: { h, w, x, y } };
    if (targets) panel.targets = targets.map((target, i) => ({ refId: String.fromCharCode(65 + i), ...target }));
    x += w;
    lineHeight = Math.max(lineHeight, h);
    if (spec.type === 'row') {
      y += h;
      x = 0;
      lineHeight = 0;
    }
    return panel;
  });
}
