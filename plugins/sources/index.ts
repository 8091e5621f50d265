/** Opens a source from a URI, as given on the command line or in a stream definition:
 *   demo                      the built-in clip, looped
 *   - | stdin                 a container stream on standard input
 *   /dev/videoN | v4l2:DEVICE a V4L2 capture device; v4l2:/dev/video0?input_format=mjpeg&video_size=1280x720&framerate=30
 *   udp:// rtp:// rtsp:// srt:// tcp:// http(s):// ...   a network feed (reconnects)
 *   file:///path | PATH       a video file; a directory is a folder of images
 *   FILE.dcm | DIR            a DICOM file (by content: 'DICM' at byte 128), or a folder of DICOM files
 *                             and no .png/.jpg (one series; see dicom/dicom-source.ts) */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { demoSource } from './demo.js';
import { dicomSource, isDicomTarget, type DicomSourceOptions } from './dicom/dicom-source.js';
import { fileSource, type FileSourceOptions } from './file.js';
import { imagesSource, type ImagesSourceOptions } from './images.js';
import { checkNetworkInput, NETWORK_SCHEMES, networkSource, type NetworkSourceOptions } from './network.js';
import { rawFramesSource, type RawFramesOptions } from './raw-frames.js';
import type { Source } from '../../src/core/contracts/source.js';
import { stdinSource, type StdinSourceOptions } from './stdin.js';
import { v4l2Source, type V4l2SourceOptions } from './v4l2.js';

export type { Source, SourceHealth, SourceInfo, SourceKind, SourceState } from '../../src/core/contracts/source.js';
export { demoSource, dicomSource, fileSource, imagesSource, networkSource, rawFramesSource, stdinSource, v4l2Source };
export type { DicomSourceOptions, FileSourceOptions, ImagesSourceOptions, NetworkSourceOptions, RawFramesOptions, StdinSourceOptions, V4l2SourceOptions };

/** Every option of every source; each source reads the ones that apply to it. */
export type OpenSourceOptions = FileSourceOptions &
  ImagesSourceOptions &
  DicomSourceOptions &
  NetworkSourceOptions &
  StdinSourceOptions &
  V4l2SourceOptions;

export async function openSource(uri: string, options: OpenSourceOptions = {}): Promise<Source> {
  const spec = uri.trim();
  if (!spec) throw new Error('source: empty URI (use demo, a file, a folder, a URL, /dev/videoN or -)');
  if (spec === 'demo') return demoSource(options);
  if (spec === '-' || spec === 'stdin') return stdinSource(options);
  if (spec.startsWith('v4l2:')) return openV4l2(spec, options);
  if (spec.startsWith('/dev/')) return openV4l2(`v4l2:${spec}`, options);

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec)?.[1]?.toLowerCase();
  if (scheme === 'file') return openPath(spec, fileURLToPath(spec), options);
  if (scheme) {
    if ((NETWORK_SCHEMES as readonly string[]).includes(scheme)) {
      // Checked once here, so an ffmpeg without the protocol (srt in the npm build) fails at start.
      await checkNetworkInput(spec);
      return networkSource(spec, options);
    }
    throw new Error(`${spec}: unsupported URL scheme "${scheme}://" (supported: file, ${NETWORK_SCHEMES.join(', ')})`);
  }
  return openPath(spec, spec, options);
}

async function openPath(uri: string, file: string, options: OpenSourceOptions): Promise<Source> {
  const found = await stat(file).catch(() => undefined);
  if (!found) throw new Error(`${uri}: no such file or directory`);
  if (await isDicomTarget(file)) return dicomSource(file, options);
  if (found.isDirectory()) return imagesSource(file, options);
  return fileSource(file, options);
}

/** v4l2:/dev/video0, v4l2:0 (= /dev/video0), with optional ?input_format=&video_size=&framerate= */
async function openV4l2(spec: string, options: OpenSourceOptions): Promise<Source> {
  const [target = '', query = ''] = spec.slice('v4l2:'.length).split('?', 2);
  const device = /^\d+$/.test(target) ? `/dev/video${target}` : target;
  const params = new URLSearchParams(query);
  const known = new Set(['input_format', 'video_size', 'framerate']);
  for (const key of params.keys()) {
    if (!known.has(key)) throw new Error(`${spec}: unknown parameter "${key}" (use input_format, video_size, framerate)`);
  }
  // Checked once here, so a typo fails at once; a device that disappears later is reconnected to.
  const found = await stat(device).catch(() => undefined);
  if (!found) throw new Error(`${spec}: no such device ${device} (is the grabber plugged in? see ls /dev/video*)`);
  if (found.isFile() || found.isDirectory()) throw new Error(`${spec}: ${device} is not a device`);
  const framerate = params.get('framerate');
  return v4l2Source(device, {
    ...options,
    ...(params.has('input_format') ? { inputFormat: params.get('input_format')! } : {}),
    ...(params.has('video_size') ? { videoSize: params.get('video_size')! } : {}),
    ...(framerate !== null ? { framerate: Number(framerate) } : {}),
  });
}
