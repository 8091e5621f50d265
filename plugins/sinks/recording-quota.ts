/** `--record-quota BYTES`: the recordings folder is kept under a size by removing the oldest finished
 * recordings first (each removal logged); the running recording is never removed, and it is stopped with
 * an error when it alone would pass the quota. */
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { RESERVE_FILE } from './recorder.js';

/** Recording folder names: the UTC start time, so they sort oldest first (recording-format.ts). */
const RECORDING_ID = /^\d{4}-\d\d-\d\dT[0-9-]+Z(?:-\d+)?$/;

/** Bytes of the files under `target` (not following links; a leftover .reserve is not counted). */
export async function folderBytes(target: string): Promise<number> {
  const info = await lstat(target).catch(() => undefined);
  if (!info || path.basename(target) === RESERVE_FILE) return 0;
  if (!info.isDirectory()) return info.size;
  const entries = await readdir(target).catch(() => [] as string[]);
  let total = 0;
  for (const entry of entries) total += await folderBytes(path.join(target, entry));
  return total;
}

export interface QuotaCheck {
  /** Bytes of all recordings (the running one included) after any removals. */
  readonly totalBytes: number;
  /** Ids removed, oldest first. */
  readonly removed: readonly string[];
}

export class RecordingQuota {
  /** Finished recordings do not change: their sizes are measured once. */
  private readonly sizes = new Map<string, number>();

  constructor(
    readonly dir: string,
    readonly quotaBytes: number,
    private readonly log: (line: string) => void,
  ) {
    if (!(Number.isInteger(quotaBytes) && quotaBytes > 0)) throw new Error(`record quota must be a positive number of bytes (got ${quotaBytes})`);
  }

  /** The check in progress: checks run one after another (a periodic check may fire while a slow one
   * is still measuring, and both would remove the same recording). */
  private running: Promise<unknown> = Promise.resolve();

  /** Removes the oldest finished recordings while everything is over the quota. `active` is the running
   * recording (never removed) and the bytes it holds now. */
  enforce(active: { readonly id: string; readonly bytes: number } | null = null): Promise<QuotaCheck> {
    const check = this.running.then(() => this.enforceNow(active));
    this.running = check.catch(() => undefined);
    return check;
  }

  private async enforceNow(active: { readonly id: string; readonly bytes: number } | null): Promise<QuotaCheck> {
    const ids = (await readdir(this.dir).catch(() => [] as string[])).filter((id) => RECORDING_ID.test(id) && id !== active?.id).sort();
    let total = active?.bytes ?? 0;
    for (const id of ids) {
      if (!this.sizes.has(id)) this.sizes.set(id, await folderBytes(path.join(this.dir, id)));
      total += this.sizes.get(id)!;
    }
    const removed: string[] = [];
    for (const id of ids) {
      if (total <= this.quotaBytes) break;
      const bytes = this.sizes.get(id)!;
      await rm(path.join(this.dir, id), { recursive: true, force: true });
      this.sizes.delete(id);
      total -= bytes;
      removed.push(id);
      this.log(`recording quota: removed ${id} (${bytes} bytes, the oldest) to keep ${this.dir} under ${this.quotaBytes} bytes`);
    }
    return { totalBytes: total, removed };
  }
}

/** `500000000`, `500M`, `10G`, `1.5T` (powers of 1024 for K, M, G, T). */
export function parseBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(text.trim());
  if (!match) throw new Error(`expected a size in bytes such as 500000000, 500M or 10G (got "${text}")`);
  const power = ' KMGT'.indexOf((match[2] || ' ').toUpperCase());
  const bytes = Math.floor(Number(match[1]) * 1024 ** power);
  if (!(bytes > 0)) throw new Error(`expected a size above 0 (got "${text}")`);
  return bytes;
}
