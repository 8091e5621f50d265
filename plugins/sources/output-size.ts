/** Learns the frame size of a live feed from ffmpeg's own log instead of a separate ffprobe run: a
 * second connection would steal a TCP/SRT listener's only client, lose the start of a UDP feed, re-open a
 * v4l2 device, and is impossible for stdin. ffmpeg logs its output stream (at -loglevel info) before it
 * writes the first byte of video, e.g.
 *   Output #0, rawvideo, to 'pipe:1':
 *     Stream #0:0: Video: rawvideo (Y800 / 0x30303859), gray(pc, progressive), 96x64 [SAR 1:1 DAR 3:2], ...
 * The size is the first ", WxH" after "Video:" (the "0x3030..." fourcc is not preceded by ", "). */
import type { FrameSize } from '../../src/core/contracts/source.js';

export class OutputSizeParser {
  private inOutput = false;
  private partial = '';
  size: FrameSize | undefined;

  /** Feed stderr text; returns the size once it has been seen. */
  push(text: string): FrameSize | undefined {
    if (this.size) return this.size;
    const lines = (this.partial + text).split(/\r?\n|\r/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (/^Output #0\b/.test(line)) this.inOutput = true;
      if (!this.inOutput) continue;
      const video = line.indexOf('Video:');
      if (video < 0) continue;
      const match = /, (\d+)x(\d+)(?=[\s,[]|$)/.exec(line.slice(video));
      if (match) {
        this.size = { width: Number(match[1]), height: Number(match[2]) };
        return this.size;
      }
    }
    return undefined;
  }
}
