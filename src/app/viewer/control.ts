// Control messages whose reply is shown to the user (docs/protocol.md, "Session control").
import type { AckMessage } from '../server/wire-format.js';
import type { ControlRequest } from './connection.js';
import { errorText } from './dom.js';
import type { MessageLog } from './log.js';

/** Sends a control message, shows the reply; resolves with the ack, or null after an error. */
export type Control = (message: ControlRequest) => Promise<AckMessage | null>;

export function replyingControl(request: (message: ControlRequest) => Promise<AckMessage>, log: MessageLog): Control {
  return async (message) => {
    try {
      const ack = await request(message);
      log.reply(ack.message);
      return ack;
    } catch (err) {
      log.reply(errorText(err), true);
      return null;
    }
  };
}
