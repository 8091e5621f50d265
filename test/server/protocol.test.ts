/** The binary frame message carries everything a client needs to draw and measure: the class map,
 * per-class results (with the fitted ellipse where a class has one) and the part of the frame the model saw.
 * Control messages are checked against their schemas, and an error names the message type and the field. */
import { describe, expect, it } from 'vitest';
import {
  controlFields,
  decodeFrameMessage,
  encodeFrameMessage,
  parseControlMessage,
  type ControlMessage,
  type ControlType,
} from '../../src/app/server/protocol.js';
import { syntheticFrame } from './synthetic-frames.js';

describe('frame messages', () => {
  it('carry a result’s ellipse and the frame’s ROI, and omit both when absent', () => {
    const frame = syntheticFrame(3, { twoClasses: true });
    const ellipse = { cx: 30.5, cy: 20.25, a: 12, b: 7.5, angle: 0.3 };
    const roi = { x: 4, y: 2, width: 50, height: 40 };
    const withBoth = { ...frame, results: [{ ...frame.results[0]!, ellipse }, frame.results[1]!], roi };
    const decoded = decodeFrameMessage(encodeFrameMessage(withBoth));
    expect(decoded.header.roi).toEqual(roi);
    expect(decoded.header.results[0]!.ellipse).toEqual(ellipse);
    expect(decoded.header.results[1]).not.toHaveProperty('ellipse');
    expect(Buffer.from(decoded.classMap).equals(Buffer.from(frame.classMap))).toBe(true);
    const plain = decodeFrameMessage(encodeFrameMessage(frame)).header;
    expect(plain).not.toHaveProperty('roi');
    expect(plain.results.map((r) => r.className)).toEqual(['disc', 'rect']);
  });
});

describe('control messages', () => {
  const parse = (text: string) => parseControlMessage(Buffer.from(text), false, 16 * 1024);

  it('checks the envelope: an object with a non-empty string type and a string or number id', () => {
    expect(parse('{"type":"hello","id":7}')).toEqual({ ok: true, message: { type: 'hello', id: 7 } });
    expect(parse('[1,2]')).toEqual({ ok: false, error: 'message must be a JSON object' });
    expect(parse('{"type":5,"id":"a"}')).toEqual({ ok: false, error: "'type' must be a non-empty string (got 5)", id: 'a' });
    expect(parse('{"id":3}')).toEqual({ ok: false, error: "'type' must be a non-empty string", id: 3 });
    expect(parse('{"type":"hello","id":{}}')).toEqual({ ok: false, error: "'id' must be a string or a number (got {})" });
  });

  const fields = (type: ControlType, rest: Record<string, unknown>) => controlFields(type, { type, ...rest } as ControlMessage);

  it('gives each known type its fields, with defaults', () => {
    expect(fields('hello', { id: 1 })).toEqual({});
    expect(fields('record', { action: 'stop' })).toEqual({ action: 'stop' });
    expect(fields('mode', { mode: 'semi', id: 'm' })).toEqual({ mode: 'semi' });
    expect(fields('class', { className: 'hip_bone' })).toEqual({ action: 'enable', className: 'hip_bone' });
    expect(fields('clear', {})).toEqual({});
    expect(fields('prompt', { frame: 4, class: 'hip_bone', points: [{ x: 1.5, y: 2 }] })).toEqual({
      frame: 4,
      className: 'hip_bone',
      points: [{ x: 1.5, y: 2, label: 1 }],
      box: undefined,
    });
  });

  it.each([
    ['record', { action: 'jump' }, `record: 'action' must be 'start' or 'stop' (got "jump")`],
    ['mode', { mode: 'turbo' }, 'mode.mode: unknown mode "turbo" (expected auto, semi, manual)'],
    ['mode', {}, 'mode.mode: is missing (expected auto, semi, manual)'],
    ['class', { action: 'toggle', className: 'hip_bone' }, 'class.action: unknown action "toggle" (enable or disable)'],
    ['class', { action: 'enable' }, 'class.className: expected "className", a class name'],
    ['clear', { className: 5 }, 'clear.className: must be a string (got 5)'],
    ['clear', { classname: 'hip_bone' }, 'clear.classname: is not a known field (className)'],
    ['hello', { name: 'viewer' }, 'hello.name: is not a known field (there are none)'],
    ['prompt', { frame: 3, class: 'hip_bone', points: [{ x: 1, y: 2 }], colour: 'red' }, 'prompt.colour: is not a known field (frame, class, points, box)'],
    [
      'prompt',
      { frame: -3, class: 'hip_bone', points: [{ x: 1, y: 2, label: 2 }, { x: 'left', y: 2 }], box: [1, 2, 3] },
      'prompt.frame: expected a frame index, an integer >= 0 (got -3); prompt.points[0].label: expected 1 (positive) or 0 (negative) (got 2); ' +
        'prompt.points[1]: expected numeric x and y (got {"x":"left","y":2}); prompt.box: expected [x0, y0, x1, y1] (got [1,2,3])',
    ],
    ['prompt', { frame: 3, class: 'hip_bone', points: [{ x: 10 }] }, 'prompt.points[0]: expected numeric x and y (got {"x":10})'],
    ['prompt', { frame: 3, class: 'hip_bone', points: [] }, 'prompt: a prompt needs points or a box'],
  ] as [ControlType, Record<string, unknown>, string][])('%s %j: %s', (type, rest, message) => {
    expect(() => fields(type, rest)).toThrow(message);
  });
});
