/** The binary frame message carries everything a client needs to draw and measure: the class map,
 * per-class results (with the fitted ellipse where a class has one) and the part of the frame the model saw. */
import { describe, expect, it } from 'vitest';
import { decodeFrameMessage, encodeFrameMessage } from '../../src/app/server/protocol.js';
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
