// The message area (#message: the last reply) and the log (#messages: the last 8 lines, newest first).
import type { Ui } from './dom.js';

const LOG_LINES = 8;

export class MessageLog {
  constructor(private readonly ui: Pick<Ui, 'message' | 'messages' | 'body'>) {}

  /** A line in the log. */
  note(text: string, isError = false): void {
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
    if (isError) item.className = 'error';
    const list = this.ui.messages;
    list.prepend(item);
    while (list.children.length > LOG_LINES) list.lastChild?.remove();
  }

  /** Show a server reply (or a local refusal) in the message area and the log. */
  reply(text: string, isError = false): void {
    this.ui.message.textContent = text;
    this.ui.message.className = isError ? 'error' : 'ok';
    if (isError) this.ui.body.lastError = text;
    else this.ui.body.lastAck = text;
    this.note(text, isError);
  }
}
