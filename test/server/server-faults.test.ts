/** Server faults against the real binary (issue 19), small: scripts/faults.mjs runs a real `sam2rad serve` on
 * the demo clip and floods one WebSocket with malformed messages, sends messages over the soft (16 KiB) and
 * hard (1 MiB, close 1009) limits, and tries every route and /ws without or with a wrong token on a serve
 * with --token and --view-token. The full run (20,000 messages, stalled clients, kills and full disks while
 * recording) is `npm run faults`. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

interface Row {
  readonly case: string;
  readonly count: number;
  readonly outcome: string;
  readonly failures: readonly string[];
  readonly details: Record<string, unknown>;
}

it('malformed, oversized and unauthorised messages are refused while the server keeps serving', { timeout: 90_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-server-faults-'));
  try {
    const json = path.join(dir, 'faults.json');
    const args = ['scripts/faults.mjs', '--types', 'none', '--cases', 'malformed,oversized,unauthorised', '--malformed', '300', '--oversized', '2', '--unauth-rounds', '4', '--json', json];
    // Exits 1 when a case fails; the JSON says which, so read it either way.
    await run(process.execPath, args, { timeout: 85_000 }).catch((err: Error & { stdout?: string; stderr?: string }) => {
      if (!/faults\.mjs/.test(err.message) || err.stdout === undefined) throw err;
      console.log(err.stdout, err.stderr?.slice(-2000));
    });
    const report = JSON.parse(await readFile(json, 'utf8')) as { serverFaults: Row[] };
    expect(report.serverFaults.map((r) => r.case)).toEqual(['malformed', 'oversized', 'unauthorised']);
    for (const row of report.serverFaults) expect(row.failures, row.case).toEqual([]);
    expect(report.serverFaults[0]!.details).toMatchObject({ errors: 300, acks: 0 });
    expect(report.serverFaults[1]!.details).toMatchObject({ closeCodes: [1009, 1009] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
