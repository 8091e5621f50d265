/** The WebSocket `record` control, registered like the session controls. */
import { NEVER } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ControlHandler } from '../../src/app/server/control-dispatch.js';
import { registerRecordingControls } from '../../src/app/server/recording-controls.js';
import { RecordingConflictError, type RecordingControl, type RecordingState } from '../../src/core/contracts/live-status.js';

function registered(control: RecordingControl | undefined): Map<string, ControlHandler> {
  const handlers = new Map<string, ControlHandler>();
  registerRecordingControls({ onControl: (type, handler) => (handlers.set(type, handler), () => handlers.delete(type)) }, control);
  return handlers;
}

describe('record control', () => {
  it('starts and stops through the RecordingControl and acks with the id and frame count', async () => {
    let state: RecordingState = { active: false, id: null, frames: 0, error: null };
    const control: RecordingControl = {
      dir: '/nowhere',
      events: NEVER,
      state: () => state,
      start: async () => (state = { active: true, id: 'rec-1', frames: 0, error: null }),
      stop: async () => {
        if (!state.active) throw new RecordingConflictError('no recording is running');
        return (state = { active: false, id: 'rec-1', frames: 12, error: null });
      },
      list: async () => [],
    };
    const record = registered(control).get('record')!;
    const client = { id: 1 };
    expect(await record({ type: 'record', action: 'start' }, client)).toBe('recording rec-1 started');
    expect(await record({ type: 'record', action: 'stop' }, client)).toBe('recording rec-1 stopped after 12 frames');
    await expect(record({ type: 'record', action: 'stop' }, client)).rejects.toThrow('no recording is running');
    await expect(record({ type: 'record', action: 'jump' }, client)).rejects.toThrow("record: 'action' must be 'start' or 'stop'");
  });

  it('is registered without a RecordingControl and says recording is not configured', async () => {
    const record = registered(undefined).get('record')!;
    await expect(record({ type: 'record', action: 'start' }, { id: 1 })).rejects.toThrow('recording is not configured on this server');
  });
});
