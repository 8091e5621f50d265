/** WebSocket control messages that steer the segmentation session (docs/protocol.md, "Session control"):
 *   {type:'mode', mode:'auto'|'semi'|'manual'}
 *   {type:'class', action:'enable'|'disable', className}
 *   {type:'prompt', frame, class, points?: [{x, y, label}], box?: [x0, y0, x1, y1]}
 *   {type:'clear', className?}
 * Each is validated; a bad one gets an error reply naming the problem and changes nothing. The `record`
 * control is registered the same way, by LiveServer for its recording (src/app/server/recording-controls.ts). */
import type { LiveServer } from '../server/server.js';
import { parseHumanPrompt } from '../../../plugins/model/parse-prompt.js';
import { PromptError, type SegmentationSession } from '../../../plugins/model/segmentation-session.js';

export function registerSessionControls(server: LiveServer, session: SegmentationSession): void {
  server.onControl('mode', (message) => {
    session.setMode(String(message.mode));
    return `mode ${session.mode}`;
  });
  server.onControl('class', (message) => {
    const name = message.className;
    if (typeof name !== 'string') throw new PromptError('class: expected "className"');
    if (message.action === 'disable') session.disableClass(name);
    else if (message.action === 'enable' || message.action === undefined) session.enableClass(name);
    else throw new PromptError(`class: unknown action ${JSON.stringify(message.action)} (enable or disable)`);
    return `tracking ${session.classes.join(', ')}`;
  });
  server.onControl('prompt', (message) => {
    if (session.mode === 'auto') return 'ignored: prompts are not used in auto mode (switch to semi or manual)';
    const prompt = parseHumanPrompt(message, 'prompt');
    session.addPrompt(prompt);
    return `prompt queued for frame ${prompt.frame}`;
  });
  server.onControl('clear', (message) => {
    const name = message.className;
    if (name !== undefined && typeof name !== 'string') throw new PromptError('clear: "className" must be a string');
    session.clear(name);
    return name ? `cleared ${name}` : 'cleared all classes';
  });
}
