// The CLI bundled by esbuild for a machine without npm (the GPU run archive and the offline GPU bundle):
// APP_DIR/sam2rad.mjs, and beside it the worker threads' files, where compiledFile() looks for them, as ES
// modules (APP_DIR/package.json says so for the .js files). onnxruntime-node and anything in `external`
// are loaded from APP_DIR/node_modules, which the caller fills.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKERS = ['src/app/bench/receiver-worker.ts', 'plugins/model/prepare-worker.ts'];

export async function bundleCli(appDir, { minify = false, external = [] } = {}) {
  const options = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify,
    external: ['onnxruntime-node', ...external],
    // Bundled CommonJS dependencies (ws, pngjs) call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  };
  await build({ ...options, entryPoints: [path.join(root, 'src/app/cli/main.ts')], outfile: path.join(appDir, 'sam2rad.mjs') });
  await build({ ...options, entryPoints: WORKERS.map((file) => path.join(root, file)), entryNames: '[name]', outdir: appDir });
  writeFileSync(path.join(appDir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
}
