/**
 * Constructed SegmentedFrames for server and sink tests: a grey gradient with a moving disc (class 1)
 * and, optionally, a fixed rectangle (class 2). The server and sinks are the components under test,
 * so the frames only need to be well-formed and recognisable.
 */
import type { ClassResult, SegmentedFrame } from '../../src/core/frames/frame.js';

export interface SyntheticOptions {
  readonly width?: number;
  readonly height?: number;
  /** Add a second class so masks are written as class-value maps. */
  readonly twoClasses?: boolean;
}

export function syntheticFrame(index: number, options: SyntheticOptions = {}): SegmentedFrame {
  const width = options.width ?? 64;
  const height = options.height ?? 48;
  const data = new Uint8Array(width * height);
  const classMap = new Uint8Array(width * height);
  const cx = (width / 4 + index * 2) % width;
  const cy = height / 2;
  const r = Math.max(3, Math.min(width, height) / 5);
  let discArea = 0;
  let rectArea = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      data[i] = (x * 255) / width * 0.6 + ((x + y + index) % 16) * 4;
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) {
        classMap[i] = 1;
        discArea++;
      }
      if (options.twoClasses && x >= width * 0.7 && x < width * 0.9 && y >= height * 0.1 && y < height * 0.3) {
        if (classMap[i] === 1) discArea--;
        classMap[i] = 2;
        rectArea++;
      }
    }
  }
  const now = performance.now();
  const results: ClassResult[] = [
    { className: 'disc', value: 1, objectScore: 4.5, box: [cx - r, cy - r, cx + r, cy + r], area: discArea },
  ];
  if (options.twoClasses) {
    results.push({ className: 'rect', value: 2, objectScore: 2.25, box: [width * 0.7, height * 0.1, width * 0.9, height * 0.3], area: rectArea });
  }
  return {
    index,
    width,
    height,
    data,
    classMap,
    results,
    timestamps: { decoded: now - 24, preprocessed: now - 20, image_encoder: now - 9, mask_decoder: now - 3, postprocessed: now - 1 },
  };
}
