#!/usr/bin/env node
// Builds the browser viewer: src/app/viewer/main.ts (and what it imports: the protocol's wire format, the
// class colours, the overlay-blending kernel) bundled by esbuild into one ES module, viewer.js, beside
// index.html and viewer.css. `npm run build` writes it to dist/src/app/server/viewer/, the folder the live
// server serves (src/app/server/viewer-dir.ts, defaultViewerDir); the GPU bundle writes its own copy.
//
//   node scripts/build-viewer.mjs [OUT_DIR]
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VIEWER_SOURCE_DIR = path.join(root, 'src/app/viewer');
export const VIEWER_DIST_DIR = path.join(root, 'dist/src/app/server/viewer');
/** Files served as they are, beside the bundle. */
const STATIC_FILES = ['index.html', 'viewer.css'];

/** esbuild options for the bundle: a browser ES module; importing a Node built-in fails the build. */
export function viewerBuildOptions(outfile) {
  return {
    absWorkingDir: root,
    entryPoints: [path.join(VIEWER_SOURCE_DIR, 'main.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    sourcemap: 'linked',
    sourcesContent: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  };
}

/** Write index.html, viewer.css, viewer.js and viewer.js.map into `outDir`; returns esbuild's result. */
export async function buildViewer(outDir = VIEWER_DIST_DIR) {
  mkdirSync(outDir, { recursive: true });
  const result = await build(viewerBuildOptions(path.join(outDir, 'viewer.js')));
  for (const name of STATIC_FILES) copyFileSync(path.join(VIEWER_SOURCE_DIR, name), path.join(outDir, name));
  return result;
}

/** The bundle in memory (nothing written): `{ code, inputs }`, inputs = the bundled files relative to the root. */
export async function bundleViewer() {
  const result = await build({ ...viewerBuildOptions(path.join(root, 'viewer.js')), write: false, sourcemap: false });
  const code = result.outputFiles.find((f) => f.path.endsWith('.js')).text;
  return { code, inputs: Object.keys(result.metafile.inputs) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = path.resolve(process.argv[2] ?? VIEWER_DIST_DIR);
  await buildViewer(outDir);
  console.log(`viewer: ${path.relative(process.cwd(), outDir) || '.'}/{index.html,viewer.css,viewer.js}`);
}
