/** WebSocket control messages that steer the segmentation session (docs/protocol.md, "Session control"):
 *   {type:'mode', mode:'auto'|'semi'|'manual'}
 *   {type:'class', action:'enable'|'disable', className}
 *   {type:'prompt', frame, class, points?: [{x, y, label}], box?: [x0, y0, x1, y1]}
 *   {type:'clear', className?}
 * Each is checked against its schema (src/app/server/protocol.ts, CONTROL_FIELDS); a bad one gets an error
 * reply naming the field and changes nothing. The `record` control is registered the same way, by
 * LiveServer for its recording (src/app/server/recording-controls.ts). */
import type { LiveServer } from '../server/server.js';
import { controlFields } from '../server/protocol.js';
import type { SegmentationSession } from '../../../plugins/model/segmentation-session.js';

export function registerSessionControls(server: LiveServer, session: SegmentationSession): void {
  server.onControl('mode', (message) => {
    session.setMode(controlFields('mode', message).mode);
    return `mode ${session.mode}`;
  });
  server.onControl('class', (message) => {
    const { action, className } = controlFields('class', message);
    if (action === 'disable') session.disableClass(className);
    else session.enableClass(className);
    return `tracking ${session.classes.join(', ')}`;
  });
  server.onControl('prompt', (message) => {
    // Checked first: a malformed prompt is an error in every mode, a valid one is ignored in auto mode.
    const prompt = controlFields('prompt', message);
    if (session.mode === 'auto') return 'ignored: prompts are not used in auto mode (switch to semi or manual)';
    session.addPrompt(prompt);
    return `prompt queued for frame ${prompt.frame}`;
  });
  server.onControl('clear', (message) => {
    const { className } = controlFields('clear', message);
    session.clear(className);
    return className ? `cleared ${className}` : 'cleared all classes';
  });
}
