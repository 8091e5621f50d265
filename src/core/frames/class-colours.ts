/**
 * Colour per class value (value 1 → first entry, cycling after 8): the one table behind both the
 * overlay burned into recordings and the live viewer, which bundles it (browser-safe: no Node imports).
 */
export type Rgb = readonly [number, number, number];

export const CLASS_COLOURS: readonly Rgb[] = [
  [255, 64, 64],
  [64, 200, 255],
  [96, 230, 96],
  [255, 200, 40],
  [200, 96, 255],
  [255, 128, 200],
  [64, 230, 200],
  [255, 150, 64],
];

export function classColour(value: number): Rgb {
  return CLASS_COLOURS[(value - 1) % CLASS_COLOURS.length]!;
}
