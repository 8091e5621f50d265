/** Malformed and out-of-range prompts sent straight over the WebSocket to the real `sam2rad serve`
 * (Sam2Rad model, looping lumbar spine clip) get errors naming the problem while the stream keeps flowing,
 * and the viewer open beside it follows a mode change made by this other client. The viewer's own prompts
 * are in prompts.e2e.test.ts; the server and page set-up is in viewer-page.ts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeFrameMessage } from '../../src/app/server/protocol.js';
import { CLASSES, closeViewer, openViewer, page, url, waitBody, type Json } from './viewer-page.js';

beforeAll(async () => {
  // The session as prompts.e2e.test.ts leaves it: hip_bone and lumbar_bone tracked, manual mode.
  // A hook cannot use expect.poll (waitBody), so these waits are the page's own.
  await openViewer('hip_bone,lumbar_bone');
  await page.waitForFunction(() => document.body.dataset.mode === 'auto', undefined, { timeout: 60_000, polling: 100 });
  await page.selectOption('#mode', 'manual');
  await page.waitForFunction(() => document.body.dataset.mode === 'manual', undefined, { timeout: 30_000, polling: 100 });
}, 120_000);
afterAll(closeViewer);

describe('malformed and out-of-range prompts over the WebSocket', () => {
  it('answers each with an error naming the problem, and the stream keeps flowing', { timeout: 60_000 }, async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    const frames: Json[] = [];
    const replies = new Map<string | number, Json>();
    const statuses: Json[] = [];
    ws.on('message', (data, isBinary) => {
      const buffer = data as Buffer;
      if (isBinary) frames.push(decodeFrameMessage(buffer).header as unknown as Json);
      else {
        const message = JSON.parse(buffer.toString('utf8')) as Json;
        if (message.type === 'status') statuses.push(message);
        else if (message.id !== undefined) replies.set(message.id, message);
      }
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let nextId = 1;
    const request = async (message: Json): Promise<Json> => {
      const id = nextId++;
      ws.send(JSON.stringify({ ...message, id }));
      await expect.poll(() => replies.has(id), { timeout: 10_000 }).toBe(true);
      return replies.get(id)!;
    };
    await expect.poll(() => frames.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => statuses.length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(statuses.at(-1)!.session).toMatchObject({ mode: 'manual', classes: CLASSES });

    // Frame 0 must have left the session's history (90 frames) for the stale-frame case: the clip plays
    // at 10 fps, and this file's server started only seconds ago.
    await expect.poll(() => frames.at(-1)!.index, { timeout: 30_000, interval: 100 }).toBeGreaterThan(120);
    const { index, width, height } = frames.at(-1)!;
    const point = (x: number, y: number) => [{ x, y, label: 1 }];
    const cases: [Json, RegExp][] = [
      [{ frame: index, class: 'lumbar_bone', points: point(width + 50, 10) }, new RegExp(`point \\(${width + 50}, 10\\) is outside frame ${index} \\(${width}x${height}\\)`)],
      [{ frame: index, class: 'lumbar_bone', points: point(-1, 5) }, /is outside frame/],
      [{ frame: index, class: 'lumbar_bone', box: [10, 10, 5, 40] }, /box \[10, 10, 5, 40\] is not a box inside frame/],
      [{ frame: index, class: 'lumbar_bone', box: [0, 0, width + 1, 10] }, /is not a box inside frame/],
      [{ frame: index, class: 'spleen', points: point(10, 10) }, /class "spleen" is not tracked \(tracked: hip_bone, lumbar_bone\)/],
      [{ frame: index, class: 'fetal_head', points: point(10, 10) }, /class "fetal_head" is not tracked/],
      [{ frame: 0, class: 'lumbar_bone', points: point(10, 10) }, /frame 0 is not available \(the session keeps frames \d+\.\.\d+\)/],
      [{ frame: index + 100_000, class: 'lumbar_bone', points: point(10, 10) }, /is not available \(the session keeps frames \d+\.\.\d+\)/],
      [{ class: 'lumbar_bone', points: point(10, 10) }, /prompt\.frame: expected a frame index/],
      [{ frame: -3, class: 'lumbar_bone', points: point(10, 10) }, /prompt\.frame: expected a frame index/],
      [{ frame: index, points: point(10, 10) }, /prompt\.class: expected a class name/],
      [{ frame: index, class: 'lumbar_bone' }, /a prompt needs points or a box/],
      [{ frame: index, class: 'lumbar_bone', points: [] }, /a prompt needs points or a box/],
      [{ frame: index, class: 'lumbar_bone', points: [{ x: 10 }] }, /prompt\.points\[0\]: expected numeric x and y/],
      [{ frame: index, class: 'lumbar_bone', points: [{ x: 10, y: 10, label: 2 }] }, /prompt\.points\[0\]\.label: expected 1 \(positive\) or 0 \(negative\)/],
      [{ frame: index, class: 'lumbar_bone', box: [1, 2, 3] }, /prompt\.box: expected \[x0, y0, x1, y1\]/],
    ];
    for (const [fields, error] of cases) {
      const answer = await request({ type: 'prompt', ...fields });
      expect(answer.type, JSON.stringify(fields)).toBe('error');
      expect(answer.message).toMatch(error);
    }
    for (const [message, error] of [
      [{ type: 'mode', mode: 'turbo' }, /unknown mode "turbo" \(expected auto, semi, manual\)/],
      [{ type: 'class', action: 'toggle', className: 'hip_bone' }, /unknown action "toggle"/],
      [{ type: 'class', action: 'enable', className: 'spleen' }, /unknown class "spleen"/],
      [{ type: 'class', action: 'enable' }, /expected "className"/],
      [{ type: 'clear', className: 'spleen' }, /class "spleen" is not tracked/],
    ] as [Json, RegExp][]) {
      const answer = await request(message);
      expect(answer.type, JSON.stringify(message)).toBe('error');
      expect(answer.message).toMatch(error);
    }

    // Still streaming, and a valid prompt on a recent frame is accepted.
    const seen = frames.length;
    await expect.poll(() => frames.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(seen + 5);
    const recent = frames.at(-1)!;
    const ok = await request({ type: 'prompt', frame: recent.index, class: 'lumbar_bone', points: point(width / 2, height / 2) });
    expect(ok).toMatchObject({ type: 'ack', message: `prompt queued for frame ${recent.index}` });
    expect((await request({ type: 'clear' })).type).toBe('ack');
    // In auto mode prompts are acknowledged and ignored.
    expect(await request({ type: 'mode', mode: 'auto' })).toMatchObject({ type: 'ack', message: 'mode auto' });
    const ignored = await request({ type: 'prompt', frame: frames.at(-1)!.index, class: 'lumbar_bone', points: point(10, 10) });
    expect(ignored).toMatchObject({ type: 'ack', message: expect.stringMatching(/^ignored/) });
    // A malformed prompt is an error in auto mode too (its fields are checked first).
    expect(await request({ type: 'prompt', frame: 'x', class: 3 })).toMatchObject({ type: 'error' });
    const more = frames.length;
    await expect.poll(() => frames.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(more + 5);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    // The viewer follows the mode change made by another client.
    await waitBody('mode', (v) => v === 'auto', 10_000);
    ws.close();
  });
});
