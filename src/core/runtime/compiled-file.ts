/** Worker threads run compiled JavaScript: a module's compiled sibling when the code runs from dist/, else
 * dist's copy of it (vitest runs the TypeScript sources). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root from the sources; dist/ itself from the compiled code (src/core/runtime is three down). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** -> the compiled `fileName` beside the module at `moduleUrl` (its import.meta.url), or null when there is none. */
export function compiledFile(moduleUrl: string, fileName: string): string | null {
  const here = path.dirname(fileURLToPath(moduleUrl));
  const candidates = [path.join(here, fileName), path.join(ROOT, 'dist', path.relative(ROOT, here), fileName)];
  return candidates.find((file) => existsSync(file)) ?? null;
}
