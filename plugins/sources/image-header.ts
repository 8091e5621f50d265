/** Format and size of a PNG or JPEG from its header bytes: checking a whole folder this way costs a
 * file read each, where an ffprobe per image would cost a process start (~0.2 s) each. */
import { open } from 'node:fs/promises';

export type ImageFormat = 'png' | 'jpeg';

export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

/** Enough for a PNG's IHDR and for the JPEG frame header behind typical EXIF/ICC segments. */
const HEAD_BYTES = 256 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export async function readImageHeader(file: string): Promise<ImageHeader> {
  const handle = await open(file, 'r').catch((err: Error) => {
    throw new Error(`${file}: cannot read (${err.message})`);
  });
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const header = PNG_SIGNATURE.every((byte, i) => head[i] === byte) ? pngHeader(head) : jpegHeader(head);
  if (!header) throw new Error(`${file}: not a PNG or JPEG image (or its header is damaged)`);
  return header;
}

/** The IHDR chunk comes first: width and height are big-endian u32 at bytes 16 and 20. */
function pngHeader(head: Buffer): ImageHeader | undefined {
  if (head.length < 24 || head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { format: 'png', width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

/** Walks the marker segments to the first start-of-frame (SOF0..SOF15 except DHT C4, JPG C8, DAC CC). */
function jpegHeader(head: Buffer): ImageHeader | undefined {
  if (head[0] !== 0xff || head[1] !== 0xd8) return undefined;
  let pos = 2;
  while (pos + 9 < head.length) {
    if (head[pos] !== 0xff) return undefined;
    const marker = head[pos + 1]!;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker >= 0xd0 && marker <= 0xd9) {
      pos += 2; // markers without a length
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { format: 'jpeg', height: head.readUInt16BE(pos + 5), width: head.readUInt16BE(pos + 7) };
    pos += 2 + head.readUInt16BE(pos + 2);
  }
  return undefined;
}
