/** Human prompts end to end: the real `sam2rad serve` (Sam2Rad model, looping lumbar spine clip) and the
 * viewer in headless Chromium. The viewer switches modes and tracked classes, draws prompts (click, shift
 * and right click, box, brush, undo, clear) that reach the session with the displayed frame's index and
 * frame-pixel coordinates, and the masks of later frames change.
 *
 * In manual mode a class with no prompt and no prompted frame in its memory has no mask (area 0); a
 * positive click on bone gives the clicked class a mask around the click in the following frames, only
 * that class, and clearing brings it back to 0. Malformed prompts sent straight over the WebSocket are in
 * prompts-ws.e2e.test.ts; the server and page set-up is in viewer-page.ts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLASSES,
  NEAR_RADIUS,
  act,
  body,
  clickAndAck,
  closeViewer,
  nextFrames,
  openViewer,
  page,
  pageErrors,
  sent,
  sentOfType,
  url,
  waitBody,
  type Json,
} from './viewer-page.js';

const LUMBAR = 2; // class-map value = manifest index + 1

beforeAll(() => openViewer('lumbar_bone'), 90_000);
afterAll(closeViewer);

describe('prompts from the viewer', () => {
  it('shows the session from status, ignores the tools in auto mode and toggles tracked classes', { timeout: 120_000 }, async () => {
    await page.waitForFunction(() => Number(document.body.dataset.framesReceived) >= 5, undefined, { timeout: 60_000 });
    await waitBody('mode', (v) => v === 'auto');
    expect(await page.locator('#class option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]))).toEqual(
      CLASSES.map((name, i) => [String(i + 1), name]),
    );
    expect(await body('tracked')).toBe('lumbar_bone');
    expect(await body('promptClass')).toBe('lumbar_bone');
    // The last tracked class cannot be unticked.
    expect(await page.isDisabled('input[data-class-name="lumbar_bone"]')).toBe(true);

    const health = (await (await fetch(`${url}/healthz`)).json()) as Json;
    expect(health.session).toEqual({ mode: 'auto', classes: CLASSES, tracked: ['lumbar_bone'] });

    // Auto mode: a click sends nothing and the page says why.
    const box = (await page.locator('#view').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await waitBody('lastError', (v) => v.includes('Auto mode ignores prompts'));
    expect(sentOfType('prompt')).toHaveLength(0);
    expect(await body('promptsSent')).toBe('0');

    // Track hip_bone too, then re-enable lumbar_bone so that it is painted last (later classes win).
    await clickAndAck(() => page.check('input[data-class-name="hip_bone"]'), /^tracking lumbar_bone, hip_bone$/);
    await waitBody('lastAck', (v) => v === 'tracking lumbar_bone, hip_bone');
    expect(await page.textContent('#message')).toBe('tracking lumbar_bone, hip_bone');
    expect(await body('tracked')).toBe('lumbar_bone,hip_bone');
    await clickAndAck(() => page.uncheck('input[data-class-name="lumbar_bone"]'), /^tracking hip_bone$/);
    expect(await page.isDisabled('input[data-class-name="hip_bone"]')).toBe(true);
    await clickAndAck(() => page.check('input[data-class-name="lumbar_bone"]'), /^tracking hip_bone, lumbar_bone$/);
    expect(sentOfType('class').slice(-3)).toEqual([
      expect.objectContaining({ type: 'class', action: 'enable', className: 'hip_bone' }),
      expect.objectContaining({ type: 'class', action: 'disable', className: 'lumbar_bone' }),
      expect.objectContaining({ type: 'class', action: 'enable', className: 'lumbar_bone' }),
    ]);
    // Frames carry both classes, and the next status agrees with the page.
    await page.waitForFunction(() => (window as any).sam2radViewer.frame?.header.results.length === 2, undefined, { timeout: 30_000 });
    await page.waitForTimeout(1500);
    expect(await body('tracked')).toBe('hip_bone,lumbar_bone');
  });

  it('a positive click on bone in manual mode gives that class a mask there; clear removes it', { timeout: 180_000 }, async () => {
    await page.selectOption('#mode', 'manual');
    await waitBody('lastAck', (v) => v === 'mode manual');
    await waitBody('mode', (v) => v === 'manual');
    await page.selectOption('#class', String(LUMBAR));
    expect(await body('promptClass')).toBe('lumbar_bone');

    // No prompts and no memory: nothing is segmented.
    await clickAndAck(() => page.click('#clear-all'), /^cleared all classes$/);
    expect(sent.at(-1)).toMatchObject({ type: 'clear' });
    expect(sent.at(-1)!.className).toBeUndefined();
    await nextFrames(3); // a frame in flight during the clear may still carry the old memory
    const unprompted = await nextFrames(8);
    for (const f of unprompted) expect([f.index, f.areas.lumbar_bone, f.areas.hip_bone]).toEqual([f.index, 0, 0]);

    // Bone surfaces are the brightest echoes: freeze on a frame with a bright band in the image area and
    // click its brightest point. The sweep's bone surface lies between 30 % and 60 % of the height (below the
    // near field); deeper bright speckle is not bone, and the model rightly does not follow a click there.
    let target: { x: number; y: number; index: number; grey: number; clientX: number; clientY: number } | undefined;
    for (let attempt = 0; attempt < 60 && !target; attempt++) {
      await page.check('#freeze');
      const found = await page.evaluate(() => {
        const viewer = (window as any).sam2radViewer;
        const frame = viewer.frame;
        const { width, height } = frame.header;
        let best = -1;
        let bx = -1;
        let by = -1;
        for (let y = Math.round(height * 0.3); y < Math.round(height * 0.6); y++) {
          for (let x = Math.round(width * 0.1); x < Math.round(width * 0.9); x++) {
            let sum = 0;
            for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) sum += frame.grey[(y + dy) * width + x + dx];
            if (sum > best) [best, bx, by] = [sum, x, y];
          }
        }
        return { x: bx, y: by, index: frame.header.index, grey: best / 25, ...viewer.frameToClient(bx + 0.5, by + 0.5) };
      });
      if (found.grey >= 200) target = found;
      else {
        await page.uncheck('#freeze');
        await nextFrames(2);
      }
    }
    expect(target, 'a frame with a bright (bone) band').toBeDefined();
    const t = target!;
    await page.evaluate((probe) => ((window as any).__probe = probe), { x: t.x, y: t.y, value: LUMBAR });

    await clickAndAck(() => page.mouse.click(t.clientX, t.clientY), new RegExp(`^prompt queued for frame ${t.index}$`));
    const prompt = sentOfType('prompt').at(-1)!;
    expect(prompt).toMatchObject({ frame: t.index, class: 'lumbar_bone' });
    expect(prompt.points).toHaveLength(1);
    expect(prompt.box).toBeUndefined();
    expect(prompt.points[0].label).toBe(1);
    expect(Math.abs(prompt.points[0].x - (t.x + 0.5))).toBeLessThanOrEqual(1);
    expect(Math.abs(prompt.points[0].y - (t.y + 0.5))).toBeLessThanOrEqual(1);
    await waitBody('pendingPrompts', (v) => v === '1');
    // The marker is drawn: a green (positive) disc around the click, off its white "+".
    const markerPixel = await page.evaluate(({ x, y }) => {
      const canvas = document.getElementById('view') as HTMLCanvasElement;
      const rect = canvas.getBoundingClientRect();
      const unit = 1 / Math.min(rect.width / canvas.width, rect.height / canvas.height); // frame px per CSS px
      return [...canvas.getContext('2d')!.getImageData(Math.floor(x + 2.5 * unit), Math.floor(y + 2.5 * unit), 1, 1).data];
    }, prompt.points[0] as { x: number; y: number });
    expect(markerPixel[1]!).toBeGreaterThan(150);
    expect(markerPixel[0]!).toBeLessThan(120);
    await page.uncheck('#freeze');

    // Later frames: the clicked class now has a mask, around the click (the bone moves with the sweep,
    // so not in every frame); the class that was not prompted still has none.
    const after = await nextFrames(20);
    console.log(
      `clicked (${t.x}, ${t.y}) grey ${t.grey.toFixed(0)} on frame ${t.index}; next frames ` +
        after.map((f) => `${f.index}: lumbar ${f.areas.lumbar_bone} (near click ${f.near}), hip ${f.areas.hip_bone}`).join(' | '),
    );
    expect(after.filter((f) => f.areas.lumbar_bone! > 0).length, 'frames with a lumbar_bone mask').toBeGreaterThanOrEqual(10);
    expect(after.filter((f) => f.near! > 0).length, `frames with lumbar_bone pixels within ${NEAR_RADIUS} px of the click`).toBeGreaterThanOrEqual(1);
    for (const f of after) expect([f.index, f.areas.hip_bone]).toEqual([f.index, 0]);
    // The pending marker goes once enough frames arrived.
    await waitBody('pendingPrompts', (v) => v === '0');

    // Clear: the class loses its conditioning frame and memory, and has no mask again.
    await clickAndAck(() => page.click('#clear-all'), /^cleared all classes$/);
    await nextFrames(3);
    const cleared = await nextFrames(8);
    for (const f of cleared) expect([f.index, f.areas.lumbar_bone]).toEqual([f.index, 0]);
    expect(pageErrors).toEqual([]);
  });

  it('maps each tool to prompt messages; undo clears the class and re-sends the rest of that frame', { timeout: 120_000 }, async () => {
    await waitBody('mode', (v) => v === 'manual');
    const at = (x: number, y: number) => page.evaluate(([fx, fy]) => (window as any).sam2radViewer.frameToClient(fx, fy), [x, y] as const);
    const p1 = await at(150.5, 300.5);
    const p2 = await at(250.5, 320.5);
    const p3 = await at(300.5, 200.5);
    // Several prompts on one frame: freeze the display. The session keeps only its last ~90 frames
    // (9 s at 10 fps), so everything up to the last undo must happen within that time.
    await page.check('#freeze');
    const frozenAt = Date.now();
    const frame = Number(await body('frameIndex'));
    const lastPrompt = () => sentOfType('prompt').at(-1)!;
    const near = (value: number, expected: number) => Math.abs(value - expected) <= 1;

    // Click: positive point.
    await clickAndAck(() => page.mouse.click(p1.clientX, p1.clientY), new RegExp(`^prompt queued for frame ${frame}$`));
    expect(lastPrompt()).toMatchObject({ type: 'prompt', frame, class: 'lumbar_bone' });
    expect(lastPrompt().points.map((p: Json) => p.label)).toEqual([1]);
    expect(near(lastPrompt().points[0].x, 150.5) && near(lastPrompt().points[0].y, 300.5)).toBe(true);

    // Shift-click: negative point, added to the points already on this frame.
    await page.keyboard.down('Shift');
    await clickAndAck(() => page.mouse.click(p2.clientX, p2.clientY), /^prompt queued/);
    await page.keyboard.up('Shift');
    expect(lastPrompt().points.map((p: Json) => p.label)).toEqual([1, 0]);
    expect(near(lastPrompt().points[1].x, 250.5) && near(lastPrompt().points[1].y, 320.5)).toBe(true);

    // Right click: negative point too.
    await clickAndAck(() => page.mouse.click(p3.clientX, p3.clientY, { button: 'right' }), /^prompt queued/);
    expect(lastPrompt().points.map((p: Json) => p.label)).toEqual([1, 0, 0]);

    // Drag: a box (corners ordered, in frame pixels), sent with the points of the frame.
    await clickAndAck(async () => {
      await page.mouse.move(p3.clientX, p3.clientY);
      await page.mouse.down();
      await page.mouse.move(p1.clientX, p1.clientY, { steps: 6 });
      await page.mouse.up();
    }, /^prompt queued/);
    expect(lastPrompt().points).toHaveLength(3);
    const [x0, y0, x1, y1] = lastPrompt().box as number[];
    expect(near(x0!, 150.5) && near(y0!, 200.5) && near(x1!, 300.5) && near(y1!, 300.5)).toBe(true);
    await waitBody('pendingPrompts', (v) => v === '4');
    expect(sentOfType('prompt').slice(-4).every((m) => m.frame === frame)).toBe(true);

    // Undo: clear the class, then re-send what is left on that frame (the three points, no box).
    const points = lastPrompt().points as Json[];
    const withoutId = (messages: Json[]) => messages.map(({ id: _id, ...m }) => m);
    const undone = await act(() => page.click('#undo'), 2);
    expect(withoutId(undone.sent)).toEqual([
      { type: 'clear', className: 'lumbar_bone' },
      { type: 'prompt', frame, class: 'lumbar_bone', points },
    ]);
    expect(undone.replies.map((r) => r.message)).toEqual(['cleared lumbar_bone', `prompt queued for frame ${frame}`]);
    // Ctrl+Z: two points left, then one.
    for (const left of [2, 1]) {
      const again = await act(() => page.keyboard.press('Control+z'), 2);
      expect(withoutId(again.sent)).toEqual([
        { type: 'clear', className: 'lumbar_bone' },
        { type: 'prompt', frame, class: 'lumbar_bone', points: points.slice(0, left) },
      ]);
      expect(again.replies.map((r) => r.type), `${JSON.stringify(again.replies)} ${Date.now() - frozenAt} ms after freezing`).toEqual(['ack', 'ack']);
    }
    // Undoing the last one only clears; then there is nothing left to undo.
    const last = await act(() => page.click('#undo'));
    expect(withoutId(last.sent)).toEqual([{ type: 'clear', className: 'lumbar_bone' }]);
    const count = sent.length;
    await page.click('#undo');
    await waitBody('lastAck', (v) => v === 'nothing to undo for lumbar_bone');
    expect(sent.length).toBe(count);
    await page.uncheck('#freeze');

    // Brush: a stroke becomes at most 12 positive points along it; with Shift, negative ones.
    await page.click('#tool-brush');
    await waitBody('tool', (v) => v === 'brush');
    const stroke = async (shift: boolean) => {
      const start = await at(80, 250);
      const end = await at(380, 330);
      if (shift) await page.keyboard.down('Shift');
      await page.mouse.move(start.clientX, start.clientY);
      await page.mouse.down();
      await page.mouse.move(end.clientX, end.clientY, { steps: 8 });
      await page.mouse.up();
      if (shift) await page.keyboard.up('Shift');
    };
    await clickAndAck(() => stroke(false), /^prompt queued/);
    const brushed = lastPrompt().points as Json[];
    expect(brushed.length).toBeGreaterThanOrEqual(2);
    expect(brushed.length).toBeLessThanOrEqual(12);
    expect(brushed.every((p) => p.label === 1)).toBe(true);
    expect(near(brushed[0]!.x, 80) && near(brushed.at(-1)!.x, 380)).toBe(true);
    await clickAndAck(() => stroke(true), /^prompt queued/);
    expect((lastPrompt().points as Json[]).slice(-brushed.length).every((p) => p.label === 0)).toBe(true);
    await page.click('#tool-point');

    // Clear class: forgets this class's prompts on the server and on screen.
    await clickAndAck(() => page.click('#clear'), /^cleared lumbar_bone$/);
    expect(sent.at(-1)).toMatchObject({ type: 'clear', className: 'lumbar_bone' });
    await waitBody('pendingPrompts', (v) => v === '0');
    expect(pageErrors).toEqual([]);
  });
});
