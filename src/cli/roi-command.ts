/** `sam2rad roi`: where the ultrasound image lies in screen grabs, the crop that `--roi auto` applies
 * before the model (training reads it too, so that the model learns on the crops it will see). */
import { readGreyImage } from '../frames/read-image.js';
import { detectRoi } from '../frames/roi-detection.js';
import { UsageError, type Command } from './command.js';

export const roiCommand: Command = {
  name: 'roi',
  usage: 'roi IMAGE...',
  summary:
    'Finds the ultrasound image inside each screen grab (a single image has no motion, so the brightness method) ' +
    'and prints one JSON line per image: {"file", "width", "height", "rect": {x, y, width, height}, "method"}.',
  allowPositionals: true,
  options: {},
  async run(_values, positionals) {
    if (positionals.length === 0) throw new UsageError('roi needs at least one IMAGE (see --help)');
    for (const file of positionals) {
      const image = await readGreyImage(file);
      const { rect, method } = detectRoi([{ index: 0, timestamps: {}, ...image }]);
      process.stdout.write(JSON.stringify({ file, width: image.width, height: image.height, rect, method }) + '\n');
    }
    return 0;
  },
};
