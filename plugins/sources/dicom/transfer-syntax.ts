/** DICOM transfer syntaxes (PS3.5 section 10, PS3.6 Annex A): the ones a DICOM source decodes, and the
 * names of the others, so that a file in one of them is refused with its UID and name. */

export type PixelEncoding = 'native' | 'rle' | 'jpeg-baseline';

export interface TransferSyntax {
  readonly uid: string;
  readonly name: string;
  /** How pixel data is stored; undefined: not decoded here. */
  readonly encoding?: PixelEncoding;
  /** Implicit VR (the dataset carries no VRs). */
  readonly implicit?: boolean;
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

const SYNTAXES: readonly TransferSyntax[] = [
  { uid: IMPLICIT_VR_LITTLE_ENDIAN, name: 'Implicit VR Little Endian', encoding: 'native', implicit: true },
  { uid: EXPLICIT_VR_LITTLE_ENDIAN, name: 'Explicit VR Little Endian', encoding: 'native' },
  { uid: RLE_LOSSLESS, name: 'RLE Lossless', encoding: 'rle' },
  { uid: JPEG_BASELINE, name: 'JPEG Baseline (Process 1)', encoding: 'jpeg-baseline' },
  // Known, not decoded here.
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian' },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian (retired)' },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)' },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless, Non-Hierarchical (Process 14)' },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])' },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless Image Compression' },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Lossy (Near-Lossless) Image Compression' },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Image Compression (Lossless Only)' },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000 Image Compression' },
  { uid: '1.2.840.10008.1.2.4.100', name: 'MPEG2 Main Profile / Main Level' },
  { uid: '1.2.840.10008.1.2.4.101', name: 'MPEG2 Main Profile / High Level' },
  { uid: '1.2.840.10008.1.2.4.102', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.1' },
  { uid: '1.2.840.10008.1.2.4.103', name: 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1' },
  { uid: '1.2.840.10008.1.2.4.104', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video' },
  { uid: '1.2.840.10008.1.2.4.105', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video' },
  { uid: '1.2.840.10008.1.2.4.106', name: 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2' },
  { uid: '1.2.840.10008.1.2.4.107', name: 'HEVC/H.265 Main Profile / Level 5.1' },
  { uid: '1.2.840.10008.1.2.4.108', name: 'HEVC/H.265 Main 10 Profile / Level 5.1' },
  { uid: '1.2.840.10008.1.2.4.201', name: 'High-Throughput JPEG 2000 Image Compression (Lossless Only)' },
  { uid: '1.2.840.10008.1.2.4.202', name: 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)' },
  { uid: '1.2.840.10008.1.2.4.203', name: 'High-Throughput JPEG 2000 Image Compression' },
];

const BY_UID = new Map(SYNTAXES.map((s) => [s.uid, s]));

/** The decodable transfer syntaxes, for messages and docs. */
export const SUPPORTED_SYNTAXES = SYNTAXES.filter((s) => s.encoding);

export function transferSyntaxName(uid: string): string {
  return BY_UID.get(uid)?.name ?? 'an unknown transfer syntax';
}

export class UnsupportedTransferSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly uid: string,
  ) {
    super(
      `${file}: transfer syntax ${uid} (${transferSyntaxName(uid)}) is not supported; ` +
        `DICOM sources decode ${SUPPORTED_SYNTAXES.map((s) => `${s.name} (${s.uid})`).join(', ')} ` +
        `(convert the file, e.g. with dcmtk: dcmconv +te IN OUT, or dcmdjpeg / dcmdrle / dcmdjpls IN OUT)`,
    );
    this.name = 'UnsupportedTransferSyntaxError';
  }
}

/** The syntax, or an UnsupportedTransferSyntaxError naming its UID and name. */
export function supportedTransferSyntax(uid: string, file: string): TransferSyntax & { encoding: PixelEncoding } {
  const syntax = BY_UID.get(uid);
  if (!syntax?.encoding) throw new UnsupportedTransferSyntaxError(file, uid);
  return syntax as TransferSyntax & { encoding: PixelEncoding };
}
