/** Where the live server finds the viewer it serves when no viewerDir is given. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Locate the built viewer (index.html, viewer.css and the viewer.js bundle, written by `npm run build`
 * from src/app/viewer/ with scripts/build-viewer.mjs): beside this module when running from dist/ (or the
 * GPU bundle), in dist/ when running from src/ (vitest, tsx).
 */
export function defaultViewerDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'viewer'), path.resolve(here, '../../../dist/src/app/server/viewer')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'viewer.js')));
  if (!found) {
    throw new Error(`viewer not built (looked in ${candidates.join(', ')}): run npm run build, or pass the viewerDir option`);
  }
  return found;
}
