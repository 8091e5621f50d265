/** DICOM RLE Lossless (PS3.5 Annex G): one frame is a 64-byte header (the number of segments, up to 15,
 * and each segment's byte offset) followed by PackBits-coded segments. A segment holds one byte plane of
 * one sample: for each sample (R, G, B / Y, Cb, Cr) its most significant byte first. Decoded, a frame
 * is colour-by-plane (planar configuration 1) whatever the dataset's Planar Configuration says. */

/** The frame's byte planes, each rows * columns bytes, in segment order. */
export function decodeRleFrame(frame: Uint8Array, pixels: number, expectedSegments: number, where: string): Uint8Array[] {
  if (frame.length < 64) throw new Error(`${where}: RLE frame of ${frame.length} bytes has no 64-byte header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const count = view.getUint32(0, true);
  if (count < 1 || count > 15) throw new Error(`${where}: RLE header says ${count} segments (1 to 15 allowed)`);
  if (count !== expectedSegments) {
    throw new Error(`${where}: RLE frame has ${count} segments, the pixel format needs ${expectedSegments}`);
  }
  const offsets = Array.from({ length: count }, (_, i) => view.getUint32(4 + 4 * i, true));
  return offsets.map((start, i) => {
    const end = i + 1 < count ? offsets[i + 1]! : frame.length;
    if (start < 64 || end > frame.length || end < start) throw new Error(`${where}: RLE segment ${i + 1} at ${start}..${end} lies outside the frame`);
    return unpackBits(frame.subarray(start, end), pixels, `${where}: RLE segment ${i + 1}`);
  });
}

/** PackBits: n in 0..127 copies the next n + 1 bytes; n in -127..-1 repeats the next byte 1 - n times;
 * -128 does nothing. Decoding stops once `length` bytes are out (a segment may be padded to even length). */
export function unpackBits(input: Uint8Array, length: number, where: string): Uint8Array {
  const out = new Uint8Array(length);
  let i = 0;
  let o = 0;
  while (o < length && i < input.length) {
    const n = (input[i++]! << 24) >> 24;
    if (n >= 0) {
      const run = Math.min(n + 1, length - o, input.length - i);
      out.set(input.subarray(i, i + run), o);
      i += n + 1;
      o += run;
    } else if (n !== -128) {
      const run = Math.min(1 - n, length - o);
      out.fill(input[i++] ?? 0, o, o + run);
      o += run;
    }
  }
  if (o < length) throw new Error(`${where}: decoded ${o} of ${length} bytes (truncated segment)`);
  return out;
}
