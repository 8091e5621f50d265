// The prompt tools of the Segmentation panel: the tool (point/box or brush), Freeze display, and the
// prompt actions (send a drawn prompt, undo, clear class, clear all) with the per-class history behind them.
import type { Control } from './control.js';
import type { Ui } from './dom.js';
import type { MessageLog } from './log.js';
import { MARKER_FRAMES, type PromptAction, type PromptHistory, type PromptMessage, type Tool } from './prompts.js';
import type { SessionPanel } from './session-panel.js';
import type { ViewerState } from './state.js';

export class PromptTools {
  private promptsSent = 0;

  constructor(
    private readonly ui: Pick<Ui, 'tools' | 'freeze' | 'undo' | 'clear' | 'clearAll' | 'body'>,
    private readonly state: ViewerState,
    private readonly history: PromptHistory,
    private readonly session: SessionPanel,
    private readonly control: Control,
    private readonly log: MessageLog,
    /** Told when the display freezes or thaws (the frame history steps while frozen). */
    private readonly onFreeze: (frozen: boolean) => void = () => {},
  ) {
    ui.freeze.addEventListener('change', () => this.setFrozen(ui.freeze.checked));
    for (const input of ui.tools) {
      input.addEventListener('change', () => input.checked && this.setTool(input.value === 'brush' ? 'brush' : 'point'));
    }
    ui.undo.addEventListener('click', () => void this.undo());
    ui.clear.addEventListener('click', () => {
      const className = state.promptClass;
      history.clear(className);
      state.overlayDirty = true;
      void control({ type: 'clear', className });
    });
    ui.clearAll.addEventListener('click', () => {
      history.clear();
      state.overlayDirty = true;
      void control({ type: 'clear' });
    });
  }

  setTool(tool: Tool): void {
    this.state.tool = tool;
    this.ui.body.tool = tool;
    for (const input of this.ui.tools) input.checked = input.value === tool;
  }

  setFrozen(frozen: boolean): void {
    const { state, ui } = this;
    if (state.frozen === frozen) return;
    state.frozen = frozen;
    state.pinned = frozen ? state.displayed : null;
    ui.body.frozen = String(frozen);
    ui.freeze.checked = frozen;
    state.frameDirty = true;
    this.onFreeze(frozen);
  }

  /** Send one drawn action for the prompt class, on the frame it was drawn on. */
  async submit(action: PromptAction, frame: number): Promise<void> {
    const { state, history } = this;
    const className = state.promptClass;
    if (!className) return this.log.reply('no class to prompt: the class list is not known yet', true);
    if (!state.tracked.includes(className)) {
      this.log.note(`${className} is not tracked: enabling it first`);
      if (!(await this.session.setClassTracked(className, true))) return;
    }
    const { message, entry } = history.add(className, frame, action, state.framesReceived + MARKER_FRAMES);
    state.overlayDirty = true;
    if (!(await this.sendPrompt(message))) history.remove(className, entry);
    state.overlayDirty = true;
  }

  /** Remove the prompt class's last action: `clear` the class, then send what remains on its frame. */
  async undo(): Promise<void> {
    const { state } = this;
    const className = state.promptClass;
    const result = this.history.undo(className, state.framesReceived + MARKER_FRAMES);
    if (!result) return this.log.reply(`nothing to undo for ${className}`);
    state.overlayDirty = true;
    if (!(await this.control({ type: 'clear', className }))) return;
    if (result.resend) await this.sendPrompt(result.resend);
  }

  /** A prompt message to the server, counted in data-prompts-sent; resolves true when acknowledged. */
  private async sendPrompt(message: PromptMessage): Promise<boolean> {
    this.promptsSent++;
    this.ui.body.promptsSent = String(this.promptsSent);
    return (await this.control({ ...message })) !== null;
  }
}
