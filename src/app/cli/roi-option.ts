/** The --roi option shared by `serve`, `segment` and `eval`: where the ultrasound image is cut out of the frame
 * before the model sees it. Training crops the same way (sam2rad roi), so 'auto' is the default. */
import type { RoiSetting } from '../../core/frames/roi-crop.js';
import { UsageError, type OptionSpec } from './command.js';

export const ROI_OPTION: OptionSpec = {
  type: 'string',
  arg: 'none|auto|X,Y,W,H',
  help: 'crop the scanner UI around the ultrasound image before the model (default: auto)',
};

/** The --roi setting given on the command line, else `fallback` (a stream definition's ROI), else auto. */
export function roiOption(values: Record<string, unknown>, fallback?: RoiSetting): RoiSetting {
  return values.roi === undefined ? (fallback ?? 'auto') : parseRoiSetting(String(values.roi));
}

function parseRoiSetting(value: string): RoiSetting {
  if (value === 'auto' || value === 'none') return value;
  const parts = value.split(',').map(Number);
  if (parts.length !== 4 || !parts.every((n) => Number.isInteger(n) && n >= 0) || parts[2] === 0 || parts[3] === 0) {
    throw new UsageError(`--roi: expected none, auto or X,Y,W,H in pixels, got "${value}"`);
  }
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
}
