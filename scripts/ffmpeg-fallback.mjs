#!/usr/bin/env node
// The recording and segment tests again on the last ffmpeg src/core/frames/ffmpeg.ts falls back to: the
// optional npm package @ffmpeg-installer/ffmpeg (on linux-x64 a 2018 snapshot of ffmpeg 4.x, which has no
// -fps_mode), handed over as FFMPEG_PATH. `npm test` runs this after the suite; `npm run
// test:ffmpeg-fallback` builds first (the segment test runs dist/) and runs it alone. Arguments go to
// vitest. Where the package is not installed (optional dependencies skipped, another platform) it says so
// and exits 0.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const FILES = ['test/sinks/recording.test.ts', 'test/cli/segment.test.ts'];

let ffmpeg;
try {
  ffmpeg = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg').path;
} catch (err) {
  console.log(`ffmpeg fallback run skipped: @ffmpeg-installer/ffmpeg is not usable here (${err instanceof Error ? err.message : err})`);
  process.exit(0);
}
const banner = spawnSync(ffmpeg, ['-version'], { encoding: 'utf8' }).stdout?.split('\n', 1)[0] ?? '?';
console.log(`ffmpeg fallback run: FFMPEG_PATH=${ffmpeg}\n  ${banner}`);

const started = Date.now();
const bin = path.resolve('node_modules', '.bin');
const run = spawnSync('vitest', ['run', ...FILES, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, FFMPEG_PATH: ffmpeg, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
});
console.log(`ffmpeg fallback run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (run.error) throw run.error;
process.exit(run.status ?? 1);
