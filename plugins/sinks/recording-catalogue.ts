/** The recordings on disk, as GET /recordings lists them: each folder's metadata.json as far as it can
 * be read, its top-level files and its mask count. */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RecordingFile, RecordingInfo } from '../../src/core/contracts/live-status.js';
import { MASK_DIR, METADATA_FILE, type RecordingMetadata } from './recording-format.js';

/** Folder and file names listed: no separators, no '.'/'..', no hidden (temporary) files. */
const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** metadata.json as far as it can be read; `error` says why when it cannot. */
async function readMetadata(folder: string): Promise<Partial<RecordingMetadata>> {
  try {
    return JSON.parse(await readFile(path.join(folder, METADATA_FILE), 'utf8')) as Partial<RecordingMetadata>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `${METADATA_FILE} is missing` : `${METADATA_FILE} is unreadable: ${(err as Error).message}` };
  }
}

/** Recordings under `dir`, newest first. A missing `dir` has none. */
export async function listRecordings(dir: string, activeId: string | null = null): Promise<RecordingInfo[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const ids = entries.filter((e) => e.isDirectory() && SAFE_ID.test(e.name)).map((e) => e.name).sort().reverse();
  return Promise.all(
    ids.map(async (id): Promise<RecordingInfo> => {
      const folder = path.join(dir, id);
      const [meta, children, masks] = await Promise.all([
        readMetadata(folder),
        readdir(folder, { withFileTypes: true }),
        readdir(path.join(folder, MASK_DIR)).catch(() => [] as string[]),
      ]);
      const files: RecordingFile[] = await Promise.all(
        children
          .filter((c) => c.isFile() && SAFE_ID.test(c.name))
          .map(async (c) => ({ name: c.name, bytes: (await stat(path.join(folder, c.name))).size })),
      );
      const active = id === activeId;
      return {
        id,
        startedAt: meta.startedAt ?? null,
        endedAt: meta.endedAt ?? null,
        frameCount: meta.frameCount ?? null,
        complete: !active && meta.complete === true,
        active,
        error: meta.error ?? null,
        files: files.sort((a, b) => a.name.localeCompare(b.name)),
        maskCount: masks.filter((m) => m.endsWith('.png')).length,
      };
    }),
  );
}
