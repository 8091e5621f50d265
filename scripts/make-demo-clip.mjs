#!/usr/bin/env node
// Builds assets/demo/demo.mp4: a pseudo-cine from four HC18 fetal head stills (CC BY 4.0) with simulated
// probe motion (slow zoom, pan and tilt) and cross-fades between subjects, plus assets/demo/ATTRIBUTION.md.
// Re-runnable: `node scripts/make-demo-clip.mjs [--images DIR] [--out FILE]`. Needs ffmpeg with libx264
// (FFMPEG_PATH, else `ffmpeg` on PATH). The output is committed, so the app itself never needs the dataset.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: resolve(root, '../shared/datasets/hc18_fetal_head_us/images') },
    out: { type: 'string', default: join(root, 'assets/demo/demo.mp4') },
  },
});

/** Four different subjects (the NNN prefix is the subject), all 800x540. */
const STILLS = ['200_HC.png', '300_HC.png', '400_HC.png', '600_HC.png'];
const FPS = 30;
const WIDTH = 640;
const HEIGHT = 432;
/** Seconds each subject is shown, and the cross-fade between consecutive subjects. */
const SEGMENT_S = 3.6;
const FADE_S = 0.6;
/** The ~1.5 MB budget for a file committed to the repository. */
const MAX_BYTES = 1_600_000;

const ffmpeg = process.env.FFMPEG_PATH || 'ffmpeg';
const inputs = STILLS.map((name) => join(args.images, name));
for (const input of inputs) {
  if (!existsSync(input)) {
    fail(`HC18 image ${input} not found (pass --images DIR pointing at hc18_fetal_head_us/images)`);
  }
}

/** Smooth, slightly different probe motion per subject: zoom "breathing", a slow pan and a small tilt,
 * all periodic in t (seconds) so there are no jumps. Zoompan runs on a 2.5x upscale so its integer crop
 * offsets move in 0.4-pixel steps of the output, which keeps the motion free of visible jitter. */
function segmentFilter(i) {
  const phase = (i * 1.7).toFixed(2);
  const t = `(on/${FPS})`;
  const zoom = `1.18+0.07*sin(2*PI*${t}/5.5+${phase})`;
  const x = `(iw-iw/zoom)/2*(1+0.55*sin(2*PI*${t}/7+${phase}))`;
  const y = `(ih-ih/zoom)/2*(1+0.45*sin(2*PI*${t}/6.3+${phase}*0.7))`;
  const angle = `0.035*sin(2*PI*t/4.7+${phase})`;
  return (
    `[${i}:v]format=gray,scale=${WIDTH * 2.5}:${HEIGHT * 2.5}:force_original_aspect_ratio=decrease:flags=bicubic,` +
    `pad=${WIDTH * 2.5}:${HEIGHT * 2.5}:(ow-iw)/2:(oh-ih)/2,` +
    `zoompan=z='${zoom}':x='${x}':y='${y}':d=1:s=${WIDTH}x${HEIGHT}:fps=${FPS},` +
    `rotate=a='${angle}':c=black:bilinear=1,setsar=1,settb=AVTB,format=gray[s${i}]`
  );
}

const filters = inputs.map((_, i) => segmentFilter(i));
let last = 's0';
for (let i = 1; i < inputs.length; i++) {
  const offset = (i * (SEGMENT_S - FADE_S)).toFixed(3);
  const out = i === inputs.length - 1 ? 'mix' : `x${i}`;
  filters.push(`[${last}][s${i}]xfade=transition=fade:duration=${FADE_S}:offset=${offset}[${out}]`);
  last = out;
}
filters.push(`[${last}]format=yuv420p[out]`);

const ffmpegArgs = [
  '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
  ...inputs.flatMap((input) => ['-loop', '1', '-framerate', String(FPS), '-t', String(SEGMENT_S), '-i', input]),
  '-filter_complex', filters.join(';'),
  '-map', '[out]', '-an',
  // A keyframe every second: cheap seeking, and a restreamed demo is joinable within a second.
  '-c:v', 'libx264', '-preset', 'medium', '-crf', '27', '-g', String(FPS), '-pix_fmt', 'yuv420p',
  '-movflags', '+faststart',
  '-metadata', 'title=Sam2Rad Live demo: simulated fetal head sweep (HC18, CC BY 4.0)',
  '-metadata', 'comment=Derived from HC18 (van den Heuvel et al., PLoS ONE 2018, doi:10.1371/journal.pone.0200412), CC BY 4.0. See ATTRIBUTION.md.',
  args.out,
];
const run = spawnSync(ffmpeg, ffmpegArgs, { stdio: ['ignore', 'inherit', 'inherit'] });
if (run.error) fail(`could not run ${ffmpeg}: ${run.error.message} (set FFMPEG_PATH)`);
if (run.status !== 0) fail(`${ffmpeg} exited with status ${run.status}`);

const bytes = statSync(args.out).size;
if (bytes > MAX_BYTES) fail(`${args.out} is ${bytes} bytes, over the ${MAX_BYTES} byte budget: raise -crf`);

const duration = (inputs.length * SEGMENT_S - (inputs.length - 1) * FADE_S).toFixed(1);
writeFileSync(join(dirname(args.out), 'ATTRIBUTION.md'), attribution(duration));
console.log(`wrote ${relative(process.cwd(), args.out)} (${bytes} bytes, ${duration} s) and ATTRIBUTION.md`);

function attribution(seconds) {
  return `# Demo clip attribution

\`${basename(args.out)}\` (${WIDTH}x${HEIGHT}, ${FPS} fps, ${seconds} s, H.264) is a simulated ultrasound cine
derived from four still images of the **HC18** fetal head circumference data set:

- ${STILLS.map((s) => `\`${s}\``).join(', ')} (four different subjects) from the HC18 training set.
- T. L. A. van den Heuvel, D. de Bruijn, C. L. de Korte, B. van Ginneken. *Automated measurement of fetal
  head circumference using 2D ultrasound images.* PLoS ONE 13(8): e0200412, 2018.
  doi:[10.1371/journal.pone.0200412](https://doi.org/10.1371/journal.pone.0200412)
- Data: Zenodo, doi:[10.5281/zenodo.1327317](https://doi.org/10.5281/zenodo.1327317)
- Licence: **Creative Commons Attribution 4.0 International (CC BY 4.0)**,
  https://creativecommons.org/licenses/by/4.0/

## Changes made

The stills are not a real video. \`scripts/make-demo-clip.mjs\` made this clip from them by:

- scaling each image (aspect kept) and animating a smooth simulated probe motion on it: periodic zoom,
  pan and a small rotation (ffmpeg \`zoompan\` and \`rotate\`), ${SEGMENT_S} s per image;
- cross-fading between consecutive images (${FADE_S} s \`xfade\`);
- re-encoding as 8-bit grey content in H.264 (yuv420p).

The clip is distributed under the same licence, CC BY 4.0, with the attribution above. It is for
demonstration only and is not suitable for any clinical purpose.
`;
}

function fail(message) {
  console.error(`make-demo-clip: ${message}`);
  process.exit(1);
}
