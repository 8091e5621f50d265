/** The viewer is TypeScript bundled by esbuild (scripts/build-viewer.mjs): the bundle builds, pulls in no
 * Node module and no npm package, and shares the server's wire format, the class colours and the overlay
 * kernel by import; a Node built-in anywhere in its imports fails the build. */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import { buildViewer, bundleViewer, viewerBuildOptions } from '../../scripts/build-viewer.mjs';

interface Bundle {
  readonly code: string;
  readonly inputs: readonly string[];
}

describe('the viewer bundle', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('builds from src/app/viewer with no Node module and no npm package in it', async () => {
    const { code, inputs } = (await bundleViewer()) as Bundle;
    expect(code).not.toMatch(/require\(\s*["']node:/);
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/import\(\s*["']node:/);
    expect(code).not.toMatch(/\brequire\(/);
    expect(inputs.filter((f) => f.includes('node_modules'))).toEqual([]);
    expect(inputs.filter((f) => !f.startsWith('src/'))).toEqual([]);
    // One definition, shared by import with the server, the recorder and eval.
    expect(inputs).toEqual(
      expect.arrayContaining([
        'src/app/viewer/main.ts',
        'src/app/server/wire-format.ts',
        'src/core/frames/class-colours.ts',
        'src/core/frames/overlay-blend.ts',
      ]),
    );
    expect(code).toContain('function decodeFrameMessage(');
    expect(code).toContain('function blendOverlay(');
  });

  it('writes index.html, viewer.css and viewer.js where the server looks for them', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-viewer-'));
    dirs.push(dir);
    await buildViewer(dir);
    expect((await readdir(dir)).sort()).toEqual(['index.html', 'viewer.css', 'viewer.js', 'viewer.js.map']);
    expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toContain('<script type="module" src="viewer.js">');
  });

  it('fails to build when a bundled module imports a Node built-in', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sam2rad-viewer-'));
    dirs.push(dir);
    const entry = path.join(dir, 'entry.ts');
    await writeFile(entry, "import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n");
    const options = { ...viewerBuildOptions(path.join(dir, 'out.js')), entryPoints: [entry], logLevel: 'silent' };
    await expect(build(options)).rejects.toThrow(/node:fs/);
  });
});
