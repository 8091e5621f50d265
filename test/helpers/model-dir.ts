/** The model directory under test, and scratch copies of it for tests that break files. */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** SAM2RAD_MODEL, else the shipped model. */
export const MODEL_DIR = process.env.SAM2RAD_MODEL ?? 'models/sam2rad-us';

/** A fresh temporary copy of a model directory (the caller removes it). */
export async function copyModelDir(prefix: string, from: string = MODEL_DIR): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await cp(from, dir, { recursive: true });
  return dir;
}

/** Flips the bits of the middle byte: same size, different hash. */
export async function flipMiddleByte(file: string): Promise<void> {
  const bytes = await readFile(file);
  bytes[bytes.length >> 1] ^= 0xff;
  await writeFile(file, bytes);
}
