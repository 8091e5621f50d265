// Decoder for the server's binary frame messages (docs/protocol.md):
// [uint32 LE header length][UTF-8 JSON header][grey w*h][class map w*h]

const utf8 = new TextDecoder();

/**
 * @param {ArrayBuffer} buffer one binary WebSocket message
 * @returns {{ header: object, grey: Uint8Array, classMap: Uint8Array }}
 */
export function decodeFrame(buffer) {
  if (buffer.byteLength < 4) throw new Error(`frame message too short: ${buffer.byteLength} bytes`);
  const headerLength = new DataView(buffer).getUint32(0, true);
  if (4 + headerLength > buffer.byteLength) throw new Error(`frame header length ${headerLength} exceeds message size`);
  const header = JSON.parse(utf8.decode(new Uint8Array(buffer, 4, headerLength)));
  const pixels = header.width * header.height;
  const start = 4 + headerLength;
  if (buffer.byteLength !== start + 2 * pixels) {
    throw new Error(`frame message is ${buffer.byteLength} bytes, expected ${start + 2 * pixels}`);
  }
  return { header, grey: new Uint8Array(buffer, start, pixels), classMap: new Uint8Array(buffer, start + pixels, pixels) };
}
