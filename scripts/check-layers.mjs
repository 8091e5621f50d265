#!/usr/bin/env node
// The one-way layers: src/core <- plugins <- src/app. A module may import its own layer and the layers
// below it, never one above (the library entry src/index.ts is core + plugins, without the app):
//
//   src/core/**   -> src/core
//   plugins/**    -> src/core, plugins
//   src/index.ts  -> src/core, plugins
//   src/app/**    -> anything
//
//   node scripts/check-layers.mjs [ROOT]     prints each reversed import and exits 1 if there is one
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ALLOWED = [
  { layer: 'src/core/', may: ['src/core/'] },
  { layer: 'plugins/', may: ['src/core/', 'plugins/'] },
  { layer: 'src/index.ts', may: ['src/core/', 'plugins/'] },
];
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function* sources(dir, root) {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(rel, root);
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield rel;
  }
}

/** -> ['file: imports target (layer may import only ...)', ...] for every reversed import under root. */
export function layerViolations(root) {
  const found = [];
  for (const file of [...sources('src', root), ...sources('plugins', root)]) {
    const rule = ALLOWED.find((r) => (r.layer.endsWith('/') ? file.startsWith(r.layer) : file === r.layer));
    if (!rule) continue;
    for (const [, spec] of readFileSync(path.join(root, file), 'utf8').matchAll(SPECIFIER)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      if (!rule.may.some((prefix) => target.startsWith(prefix))) {
        found.push(`${file}: imports ${target} (${rule.layer} may import only ${rule.may.join(', ')})`);
      }
    }
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const found = layerViolations(root);
  for (const line of found) console.error(line);
  process.exit(found.length ? 1 : 0);
}
