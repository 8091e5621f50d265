/** The one-way layers (src/core <- plugins <- src/app), checked on the real tree, and a check that fails
 * on a planted reversed import. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import { layerViolations } from '../../scripts/check-layers.mjs';

const check = layerViolations as (root: string) => string[];

describe('layers', () => {
  const roots: string[] = [];
  afterAll(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

  async function tree(files: Record<string, string>): Promise<string> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-layers-'));
    roots.push(root);
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.join(root, path.dirname(file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    }
    return root;
  }

  it('the project has no reversed import', () => {
    expect(check(path.resolve('.'))).toEqual([]);
  });

  it('a plugin importing the app, core importing a plugin and the library entry importing the server all fail', async () => {
    const root = await tree({
      'src/core/frames/frame.ts': "export type { Source } from '../../../plugins/sources/thing.js';\n",
      'plugins/sources/thing.ts': "import { Frame } from '../../src/core/frames/frame.js';\nimport type { LiveServer } from '../../src/app/server/server.js';\n",
      'plugins/sinks/ok.ts': "import { x } from '../sources/thing.js';\nimport { y } from '../../src/core/frames/frame.js';\nimport { z } from 'rxjs';\n",
      'src/app/server/server.ts': "import { thing } from '../../../plugins/sources/thing.js';\n",
      'src/index.ts': "export { LiveServer } from './app/server/server.js';\n",
    });
    expect(check(root)).toEqual([
      'src/core/frames/frame.ts: imports plugins/sources/thing.js (src/core/ may import only src/core/)',
      'src/index.ts: imports src/app/server/server.js (src/index.ts may import only src/core/, plugins/)',
      'plugins/sources/thing.ts: imports src/app/server/server.js (plugins/ may import only src/core/, plugins/)',
    ]);
  });
});
