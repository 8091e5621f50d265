/** The WebSocket control message that drives recording (docs/protocol.md), registered like the session
 * controls (src/app/pipeline/session-controls.ts); LiveServer registers it for its `recording` option:
 *   {type:'record', action:'start'|'stop'}   the same as POST /recording/start and /recording/stop
 * Without a RecordingControl it answers with an error saying so. */
import type { RecordingControl } from '../../core/contracts/live-status.js';
import type { ControlHandler } from './control-dispatch.js';
import { controlFields } from './protocol.js';

export function registerRecordingControls(
  server: { onControl(type: string, handler: ControlHandler): () => void },
  control: RecordingControl | undefined,
): void {
  server.onControl('record', async (message) => {
    const { action } = controlFields('record', message);
    if (!control) throw new Error('recording is not configured on this server');
    const state = action === 'start' ? await control.start() : await control.stop();
    return action === 'start' ? `recording ${state.id} started` : `recording ${state.id} stopped after ${state.frames} frames`;
  });
}
