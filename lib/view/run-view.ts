import fs from 'node:fs';
import type { ViewModel } from './read-view-model.js';
import { renderView } from './render-view.js';
import { handleViewKey, INITIAL_KEY_STATE, keyLines, type KeyState, type ViewActions } from './view-keys.js';
import { errorMessage } from '../util/error-message.js';

export interface ViewTerminal {
  // fd: the restore on exit is written synchronously
  output: NodeJS.WriteStream & { fd: number };
  input: NodeJS.ReadStream;
}

export interface LiveViewOptions {
  readModel: () => Promise<ViewModel>;
  intervalMs: number;
  terminal: ViewTerminal;
  /** The keys that act (pause starts, kill, suspend, resume); without them the view only shows. */
  actions?: ViewActions;
}

const ENTER = '\x1b[?1049h\x1b[?25l';
const RESTORE = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H';
const CLEAR_TO_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const QUIT_KEYS = new Set(['q', 'Q', '\x03', '\x04']);
const EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * One frame as one write: each line overwrites the old one in place (no full clear, so no
 * flicker over SSH). A line as wide as the screen gets no clear-to-end, which at the last
 * column would erase its last character.
 */
export function frameText(lines: string[], width: number, height: number): string {
  const shown = lines.slice(0, height);
  const body = shown.map((line) => (Array.from(line).length < width ? line + CLEAR_TO_LINE_END : line)).join('\r\n');
  return HOME + body + (shown.length < height ? `\r\n${CLEAR_BELOW}` : '');
}

/** What the screen shows now: the last model read (or why there is none yet), the key lines below it. */
function viewLines(
  view: { model: ViewModel | null; failure: string | null; keyState: KeyState; actions: ViewActions | undefined },
  width: number,
  height: number,
): string[] {
  const { model, failure, keyState, actions } = view;
  if (model === null) return [failure === null ? 'goplot view: reading…' : `goplot view: ${failure}`, 'q quits'];
  const shown =
    failure === null
      ? model
      : { ...model, problems: [...model.problems, `refresh failed, showing the last frame: ${failure}`] };
  const below = actions ? keyLines(keyState, model) : [];
  return [...renderView(shown, width, height - below.length, { live: true }).slice(0, height - below.length), ...below];
}

/** Whether a key is for the actions rather than the view: a pending question takes any key (q cancels, it does not quit). */
function isForActions(pressed: string, keyState: KeyState): boolean {
  return keyState.pending !== null || !(QUIT_KEYS.has(pressed) || pressed === 'r' || pressed === ' ');
}

/** The key state after an action key; an action that fails leaves its message and no pending question. */
function actOnKey(pressed: string, keyState: KeyState, model: ViewModel, actions: ViewActions): Promise<KeyState> {
  return handleViewKey(pressed, keyState, model, actions).catch((error: unknown): KeyState => ({
    ...keyState,
    pending: null,
    message: errorMessage(error),
  }));
}

interface TerminalHandlers {
  key(data: Buffer | string): void;
  resize(): void;
  drain(): void;
  error(): void;
  signal(signal: NodeJS.Signals): void;
}

/**
 * The terminal as the view holds it: enter() takes it (alternate screen, raw keys, the
 * listeners), leave() gives it back as it was. The restore also runs at process exit, and is
 * written synchronously so that it is on the terminal even when the process exits right after.
 */
function terminalSession(terminal: ViewTerminal, on: TerminalHandlers): { enter(): void; leave(): void } {
  const { output, input } = terminal;
  const rawBefore = input.isTTY ? input.isRaw : false;
  const restore = (): void => {
    if (input.isTTY) input.setRawMode(rawBefore);
    try {
      fs.writeSync(output.fd, RESTORE);
    } catch {
      // the terminal is gone (SSH dropped): nothing left to restore
    }
  };
  const onExit = (): void => restore();
  return {
    enter() {
      process.on('exit', onExit);
      for (const signal of Object.keys(EXIT_CODES)) process.on(signal, on.signal);
      output.on('error', on.error);
      output.on('drain', on.drain);
      output.on('resize', on.resize);
      if (input.isTTY) input.setRawMode(true);
      input.on('data', on.key);
      input.resume();
      output.write(ENTER);
    },
    leave() {
      output.off('resize', on.resize);
      output.off('error', on.error);
      output.off('drain', on.drain);
      input.off('data', on.key);
      for (const signal of Object.keys(EXIT_CODES)) process.off(signal, on.signal);
      process.off('exit', onExit);
      input.pause();
      restore();
    },
  };
}

/**
 * The full-screen view until q, Ctrl-C or a signal: alternate screen, raw keys, a redraw on
 * resize and every intervalMs. The terminal is always given back as it was, also when reading
 * or writing fails. Resolves to the exit code.
 */
export function runLiveView({ readModel, intervalMs, terminal, actions }: LiveViewOptions): Promise<number> {
  const { output } = terminal;
  let model: ViewModel | null = null;
  let keyState = INITIAL_KEY_STATE;
  let acting = false;
  let failure: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let refreshing = false;
  let waitingForDrain = false;
  let finished = false;

  return new Promise<number>((resolve) => {
    const session = terminalSession(terminal, {
      key: onKey,
      resize: draw,
      drain: () => {
        waitingForDrain = false;
        draw();
      },
      error: () => finish(1),
      signal: (signal) => finish(EXIT_CODES[signal] ?? 1),
    });
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      session.leave();
      resolve(code);
    };
    function draw(): void {
      if (finished) return;
      if (waitingForDrain) return; // a slow link: skip frames rather than queue them
      const width = output.columns || 80;
      const height = output.rows || 24;
      const lines = viewLines({ model, failure, keyState, actions }, width, height);
      if (!output.write(frameText(lines, width, height))) waitingForDrain = true;
    }
    async function refresh(): Promise<void> {
      if (finished || refreshing) return;
      refreshing = true;
      clearTimeout(timer);
      try {
        model = await readModel();
        failure = null;
      } catch (error) {
        failure = errorMessage(error);
      }
      refreshing = false;
      if (finished) return;
      draw();
      timer = setTimeout(() => void refresh(), intervalMs);
    }
    function onKey(data: Buffer | string): void {
      const pressed = typeof data === 'string' ? data : data.toString('utf8');
      if (actions && model && isForActions(pressed, keyState)) {
        if (acting) return;
        acting = true;
        void actOnKey(pressed, keyState, model, actions)
          .then((next) => {
            keyState = next;
          })
          .finally(() => {
            acting = false;
            void refresh();
          });
        return;
      }
      if ([...pressed].some((key) => QUIT_KEYS.has(key))) finish(0);
      else if (pressed === 'r' || pressed === ' ') void refresh();
    }

    session.enter();
    void refresh();
  });
}
