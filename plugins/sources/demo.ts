/** The built-in demo: assets/demo/demo.mp4 (HC18 fetal head pseudo-cine, CC BY 4.0, see its
 * ATTRIBUTION.md), looped at its native rate so the app runs without any camera or stream. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { videoFileSource, type FileSourceOptions } from './file.js';
import type { Source } from '../../src/core/contracts/source.js';

/** The clip's path: this module runs from plugins/sources/ (vitest, tsx) or dist/plugins/sources/ (built). */
export function demoClipPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const candidate = path.resolve(here, up, 'assets/demo/demo.mp4');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`demo: assets/demo/demo.mp4 not found above ${here} (run node scripts/make-demo-clip.mjs)`);
}

export function demoSource(options: FileSourceOptions = {}): Promise<Source> {
  return videoFileSource(demoClipPath(), { loop: true, realtime: true, ...options }, { uri: 'demo', kind: 'demo' });
}
