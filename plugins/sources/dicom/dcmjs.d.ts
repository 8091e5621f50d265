/** The part of dcmjs (https://github.com/dcmjs-org/dcmjs) this project uses; the package has no types. */
declare module 'dcmjs' {
  /** A DICOM JSON model element: tag (8 hex digits) -> { vr, Value }. */
  export interface DicomElement {
    vr: string;
    Value?: unknown[];
    InlineBinary?: string;
  }
  export type DicomDataset = Record<string, DicomElement>;
  /** A dataset with attribute keywords as keys (naturalizeDataset), sequences as arrays of datasets. */
  export type NaturalDataset = Record<string, unknown>;

  export interface DicomDictInstance {
    meta: DicomDataset;
    dict: DicomDataset;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }

  export interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    stopOnGreaterTag?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }

  const dcmjs: {
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDictInstance };
      DicomDict: new (meta: DicomDataset) => DicomDictInstance;
      DicomMetaDictionary: {
        naturalizeDataset(dataset: DicomDataset): NaturalDataset;
        denaturalizeDataset(dataset: NaturalDataset): DicomDataset;
        uid(): string;
        nameMap: Record<string, { tag: string; vr: string; name: string; vm: string }>;
        dictionary: Record<string, { tag: string; vr: string; name: string; vm: string }>;
      };
    };
    log: { setLevel(level: string): void; getLogger(name: string): { setLevel(level: string): void } };
  };
  export default dcmjs;
}
