#!/usr/bin/env node
// Writes the JSON Schemas generated from the project's zod schemas, for editors and other tools:
//
//   streams/stream-definition.schema.json   stream definitions (src/app/pipeline/stream-definition.ts)
//
//   npm run build && node scripts/write-schemas.mjs
//
// test/pipeline/stream-definition.test.ts fails when the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamDefinitionJsonSchema } from '../dist/src/app/pipeline/stream-definition.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'streams/stream-definition.schema.json');
writeFileSync(file, `${JSON.stringify(streamDefinitionJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.relative(root, file)}`);
