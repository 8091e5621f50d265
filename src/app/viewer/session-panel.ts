// The Segmentation panel: the session's mode, the class list (tracked checkboxes, each class's Shown
// checkbox, which hides its overlay on screen only, and the prompt class picker) and the tool hint. Follows status messages (or, from servers without a session, the classes in
// the frames) and sends `mode` and `class` messages.
import type { ClassResult } from '../../core/frames/frame.js';
import { classColour, type Rgb } from '../../core/frames/class-colours.js';
import type { SessionInfo } from '../server/wire-format.js';
import type { Control } from './control.js';
import type { Ui } from './dom.js';
import { valueOf, type ViewerState } from './state.js';

const TOOL_HELP =
  'Click = positive point, Shift-click or right-click = negative, drag = box; Brush: stroke = up to 12 points (Shift = negative).';
const HINTS: Readonly<Record<string, string>> = {
  auto: 'Auto: the model prompts itself and the tools are ignored. Switch to Semi or Manual to draw prompts.',
  semi: `Semi: your prompts refine the model’s own. ${TOOL_HELP}`,
  manual: `Manual: only your prompts guide the model. ${TOOL_HELP}`,
};

function rgb([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

export class SessionPanel {
  /** Requests in flight per kind; status messages do not overwrite the controls while > 0. */
  private readonly busy = { mode: 0, class: 0 };

  constructor(
    private readonly ui: Pick<Ui, 'mode' | 'tracked' | 'classPicker' | 'hint' | 'body'>,
    private readonly state: ViewerState,
    private readonly control: Control,
  ) {
    ui.mode.addEventListener('change', () => void this.changeMode(ui.mode.value));
    ui.classPicker.addEventListener('change', () =>
      this.choosePromptClass(state.classes.get(Number(ui.classPicker.value)) ?? '', true),
    );
  }

  /** The session from a status message. */
  showSession(session: SessionInfo): void {
    this.state.haveSession = true;
    this.setClassList(session.classes.map((className, i) => [i + 1, className]));
    if (this.busy.class === 0) this.setTracked(session.tracked);
    if (this.busy.mode === 0) this.setMode(session.mode);
  }

  /** Servers without a session provider: learn the classes from frame results (all of them tracked). */
  classesFromResults(results: readonly ClassResult[]): void {
    const { state } = this;
    // Most frames bring no new class: skip rebuilding the list then.
    if (results.some(({ value, className }) => state.classes.get(value) !== className)) {
      this.setClassList([...new Map([...state.classes, ...results.map(({ value, className }) => [value, className] as const)])]);
    }
    const names = results.map((r) => r.className);
    if (names.join(',') !== state.tracked.join(',')) this.setTracked(names);
  }

  /** Enable/disable a class; resolves true when the server agreed. */
  async setClassTracked(className: string, on: boolean): Promise<boolean> {
    const { state } = this;
    this.busy.class++;
    const ack = await this.control({ type: 'class', action: on ? 'enable' : 'disable', className });
    this.busy.class--;
    const others = state.tracked.filter((n) => n !== className);
    if (ack) this.setTracked(on ? [...others, className] : others);
    else this.setTracked(state.tracked);
    return ack !== null;
  }

  private async changeMode(mode: string): Promise<void> {
    this.busy.mode++;
    const ack = await this.control({ type: 'mode', mode });
    this.busy.mode--;
    this.setMode(ack ? mode : this.state.mode);
  }

  private setClassList(entries: [number, string][]): void {
    const { state, ui } = this;
    entries.sort((a, b) => a[0] - b[0]);
    const same = entries.length === state.classes.size && entries.every(([v, n]) => state.classes.get(v) === n);
    if (same) return;
    state.classes = new Map(entries);
    ui.classPicker.replaceChildren(
      ...entries.map(([value, className]) => {
        const option = new Option(className, String(value));
        option.style.color = rgb(classColour(value));
        return option;
      }),
    );
    ui.tracked.replaceChildren(...entries.map(([value, className]) => this.trackedItem(value, className)));
    this.setTracked(state.tracked);
    this.choosePromptClass(state.promptClassPicked ? state.promptClass : '');
  }

  /** One line of *Tracked classes*: a checkbox, the class colour, the name, and Shown (hide the class's
   * overlay on screen while it stays tracked: nothing is sent to the server). */
  private trackedItem(value: number, className: string): HTMLLIElement {
    const item = document.createElement('li');
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.dataset.className = className;
    box.addEventListener('change', () => void this.setClassTracked(className, box.checked));
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = rgb(classColour(value));
    label.append(box, swatch, document.createTextNode(className));
    const shown = document.createElement('label');
    shown.className = 'shown';
    shown.title = 'Draw this class on screen (unticked: hidden here, still tracked and recorded)';
    const eye = document.createElement('input');
    eye.type = 'checkbox';
    eye.dataset.shownClass = className;
    eye.checked = !this.state.hidden.has(value);
    eye.addEventListener('change', () => this.setShown(value, eye.checked, item));
    shown.append(eye, document.createTextNode('shown'));
    item.classList.toggle('hidden-class', !eye.checked);
    item.append(label, shown);
    return item;
  }

  /** Show or hide a class's overlay on screen (its tracking goes on). */
  setShown(value: number, shown: boolean, item?: HTMLLIElement): void {
    const { state, ui } = this;
    if (shown) state.hidden.delete(value);
    else state.hidden.add(value);
    item?.classList.toggle('hidden-class', !shown);
    ui.body.hidden = [...state.hidden].sort((a, b) => a - b).map((v) => state.classes.get(v) ?? String(v)).join(',');
    state.frameDirty = true;
  }

  private setTracked(names: readonly string[]): void {
    const { state, ui } = this;
    state.tracked = [...names];
    ui.body.tracked = state.tracked.join(',');
    for (const box of ui.tracked.querySelectorAll<HTMLInputElement>('input[data-class-name]')) {
      box.checked = state.tracked.includes(box.dataset.className ?? '');
      // The session needs at least one class: the last one cannot be unticked.
      box.disabled = box.checked && state.tracked.length === 1;
    }
    if (!state.promptClassPicked) this.choosePromptClass('');
  }

  /** Select the prompt class: `name` if known, else the first tracked class, else the first class. */
  private choosePromptClass(name: string, picked = false): void {
    const { state, ui } = this;
    if (picked) state.promptClassPicked = true;
    const names = [...state.classes.values()];
    const chosen = names.includes(name) ? name : (state.tracked.find((n) => names.includes(n)) ?? names[0] ?? '');
    state.promptClass = chosen;
    ui.body.promptClass = chosen;
    if (chosen) ui.classPicker.value = String(valueOf(state, chosen));
  }

  private setMode(mode: string): void {
    const { state, ui } = this;
    state.mode = mode;
    ui.body.mode = mode;
    if (ui.mode.value !== mode) ui.mode.value = mode;
    ui.hint.textContent = HINTS[mode] ?? '';
  }
}
