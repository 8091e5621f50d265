/** `sam2rad roi`: where the ultrasound image lies in screen grabs or clips, the crop that `--roi auto`
 * applies before the model (training reads it too, so that the model learns on the crops it will see). */
import { readGreyImage, stillFrame } from '../../core/frames/read-image.js';
import { roiCropper } from '../../core/frames/roi-crop.js';
import { detectRoi, type RoiDetection } from '../../core/frames/roi-detection.js';
import { fileSource } from '../../../plugins/sources/file.js';
import { UsageError, type Command } from './command.js';

/** One JSON line per image, or per ROI change in a clip. */
function print(file: string, width: number, height: number, detection: RoiDetection, frame?: number): void {
  const { rect, method } = detection;
  process.stdout.write(JSON.stringify({ file, ...(frame === undefined ? {} : { frame }), width, height, rect, method }) + '\n');
}

export const roiCommand: Command = {
  name: 'roi',
  usage: 'roi [--video] FILE...',
  summary:
    'Finds the ultrasound image inside each screen grab (a single image has no motion, so the brightness method) ' +
    'and prints one JSON line per image: {"file", "width", "height", "rect": {x, y, width, height}, "method"}. ' +
    "With --video, each FILE is a clip run through serve's automatic ROI frame by frame, and a line (with the " +
    '"frame" it takes effect from) is printed whenever the ROI changes.',
  allowPositionals: true,
  options: {
    video: { type: 'boolean', default: false, help: 'the files are clips: print the ROI in force from each frame on' },
  },
  async run(values, positionals) {
    if (positionals.length === 0) throw new UsageError('roi needs at least one FILE (see --help)');
    for (const file of positionals) {
      if (!values.video) {
        const image = await readGreyImage(file);
        print(file, image.width, image.height, detectRoi([stillFrame(image)]));
        continue;
      }
      const source = await fileSource(file, { realtime: false });
      const crop = roiCropper('auto', { onChange: (detection, frame) => print(file, frame.width, frame.height, detection, frame.index) });
      for await (const frame of source.pull()) crop(frame);
    }
    return 0;
  },
};
