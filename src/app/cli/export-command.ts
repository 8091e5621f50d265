/** `sam2rad export RECORDING --dicom OUT [--deidentify]`: a recording (or `sam2rad segment` output) as DICOM:
 * the cine (US Multi-frame from a DICOM source, else Multi-frame Secondary Capture) and its masks as a
 * binary DICOM Segmentation; see docs/dicom.md. */
import { exportRecordingToDicom } from '../../../plugins/sinks/dicom/export-recording.js';
import { UsageError, type Command } from './command.js';

export const exportCommand: Command = {
  name: 'export',
  usage: 'export RECORDING_DIR --dicom OUT_DIR [--deidentify]',
  summary:
    'Exports a recording as DICOM into OUT_DIR: cine.dcm (US Multi-frame keeping the study when the source was a DICOM cine, ' +
    'else Multi-frame Secondary Capture from source.mp4) and seg.dcm (a binary DICOM Segmentation, one segment per class, ' +
    'each frame referencing its cine frame). --deidentify applies the DICOM PS3.15 Basic Application Confidentiality Profile ' +
    '(new UIDs, consistent across both files) and blanks burned-in text outside the ultrasound region.',
  allowPositionals: true,
  options: {
    dicom: { type: 'string', arg: 'OUT_DIR', help: 'write cine.dcm and seg.dcm here (created if missing; existing files are replaced)' },
    deidentify: { type: 'boolean', default: false, help: 'PS3.15 Basic Profile on the attributes, pixels outside the ultrasound region set to 0' },
  },
  async run(values, positionals) {
    const recording = positionals[0];
    const out = values.dicom as string | undefined;
    if (!recording || positionals.length > 1 || !out) throw new UsageError('export needs one RECORDING_DIR and --dicom OUT_DIR (see --help)');
    const result = await exportRecordingToDicom(recording, out, {
      deidentify: values.deidentify === true,
      onWarning: (message) => console.error(`[sam2rad] ${message}`),
    });
    console.log(
      `exported ${result.frames} frames, ${result.segments} segment${result.segments === 1 ? '' : 's'}${values.deidentify ? ', de-identified' : ''}: ` +
        `${result.cine} (${result.cineSopClassUid === '1.2.840.10008.5.1.4.1.1.3.1' ? 'US Multi-frame' : 'Multi-frame Secondary Capture'}), ${result.seg} (Segmentation)`,
    );
    return 0;
  },
};
