import { DEFAULT_JOB } from '../jobs/home-jobs.js';
import type { ViewModel } from './read-view-model.js';

/** What the view's keys do; the live view is given the real ones, which log who acted. */
export interface ViewActions {
  setStarts(on: boolean): Promise<string> | string;
  kill(index: number): Promise<string> | string;
  suspend(index: number): Promise<string> | string;
  resume(index: number): Promise<string> | string;
}

type PlotAction = 'kill' | 'suspend' | 'resume';

export interface KeyState {
  /** Index (plot number) of the selected plot; null when none runs. */
  selected: number | null;
  /** An action waiting for y. */
  pending: { action: PlotAction; index: number } | null;
  message: string | null;
}

export const INITIAL_KEY_STATE: KeyState = { selected: null, pending: null, message: null };

const UP = new Set(['\x1b[A', 'k']);
const DOWN = new Set(['\x1b[B', 'j']);
const ACTION_KEYS: Record<string, PlotAction> = { x: 'kill', s: 'suspend', c: 'resume' };

function selectable(model: ViewModel): number[] {
  return model.plots.map((plot) => plot.index).filter((index): index is number => index !== null);
}

/** The selection kept on its plot across refreshes, else the first plot. */
export function keepSelection(state: KeyState, model: ViewModel): KeyState {
  const indices = selectable(model);
  const selected = state.selected !== null && indices.includes(state.selected) ? state.selected : (indices[0] ?? null);
  return { ...state, selected };
}

/** One key: move the selection, ask for a confirmation, or act once y confirms it. */
export async function handleViewKey(
  key: string,
  state: KeyState,
  model: ViewModel,
  actions: ViewActions,
): Promise<KeyState> {
  const current = keepSelection(state, model);
  if (current.pending) {
    if (key !== 'y' && key !== 'Y')
      return {
        ...current,
        pending: null,
        message: `${current.pending.action} of plot ${current.pending.index} cancelled`,
      };
    const { action, index } = current.pending;
    const message = await actions[action](index);
    return { ...current, pending: null, message };
  }
  const indices = selectable(model);
  const at = current.selected === null ? -1 : indices.indexOf(current.selected);
  if (UP.has(key) && indices.length > 0) return { ...current, selected: indices[Math.max(0, at - 1)]!, message: null };
  if (DOWN.has(key) && indices.length > 0)
    return { ...current, selected: indices[Math.min(indices.length - 1, at + 1)]!, message: null };
  if (key === 'p') return { ...current, message: await actions.setStarts(model.onToggle !== 'run') };
  const action = ACTION_KEYS[key];
  if (action) {
    if (current.selected === null) return { ...current, message: 'no plot to act on' };
    return { ...current, pending: { action, index: current.selected }, message: null };
  }
  return current;
}

/** The lines under the frame: the selection and the keys, then a question or the last answer. */
export function keyLines(state: KeyState, model: ViewModel): string[] {
  const current = keepSelection(state, model);
  const plot = model.plots.find((candidate) => candidate.index === current.selected);
  const selection = plot
    ? `selected: plot ${plot.index}${plot.job && plot.job !== DEFAULT_JOB ? ` (job ${plot.job})` : ''}${plot.suspended ? ', suspended' : ''}`
    : 'selected: none';
  const starts = model.onToggle === 'run' ? 'p pause starts' : 'p resume starts';
  const lines = [`${selection}   j/k select  x kill  s suspend  c resume  ${starts}`];
  if (current.pending)
    lines.push(`${current.pending.action} plot ${current.pending.index}? y confirms, any other key cancels`);
  else if (current.message) lines.push(current.message);
  return lines;
}
