/**
 * Per-scanner leases in the `sam2rad-leases` key-value bucket: the one worker allowed to segment a scanner.
 *
 * A lease is `{worker, expiresAt, since}` under the scanner's key. It is taken with a revision check: `create`
 * when there is no live entry, `update(key, value, revision)` of an expired one, so of two workers racing
 * for it exactly one write succeeds. The holder renews it (update with its last revision) every tick; a
 * failed renewal means someone else holds it now. The holder stops using a lease `GUARD_MS` before it
 * expires unless renewed, and others take it only after it expired, so two workers never segment one
 * scanner at the same time (on hosts whose clocks agree to well under GUARD_MS: NTP).
 */
import type { KV } from '@nats-io/kv';

export interface Lease {
  readonly worker: string;
  /** Unix-epoch ms. */
  readonly expiresAt: number;
  /** When this worker took the scanner (epoch ms). */
  readonly since: number;
  /** Given back by its holder (stopping, rebalancing) rather than left to expire. */
  readonly released?: boolean;
}

export interface HeldLease extends Lease {
  readonly scanner: string;
  readonly revision: number;
  /** The worker that held it before: it gave the scanner back (`released`: a hand-over) or its lease expired
   * (a failover: it died or lost NATS). */
  readonly previous?: { readonly worker: string; readonly expiredMsAgo: number; readonly released: boolean };
}

/** How long a lease lasts without renewal. A dead worker's scanners move within this plus a tick. */
export const LEASE_MS = 2500;
/** The holder stops this long before expiry unless it renewed meanwhile. */
export const GUARD_MS = 700;

function parse(value: Uint8Array): Lease | null {
  try {
    const lease = JSON.parse(new TextDecoder().decode(value)) as Lease;
    return typeof lease.worker === 'string' && typeof lease.expiresAt === 'number' ? lease : null;
  } catch {
    return null;
  }
}

const encode = (lease: Lease): string => JSON.stringify(lease);

/** Takes the scanner's lease if it is free or expired; null when another worker holds it. */
export async function acquireLease(kv: KV, scanner: string, worker: string, leaseMs = LEASE_MS): Promise<HeldLease | null> {
  const now = Date.now();
  const lease: Lease = { worker, expiresAt: now + leaseMs, since: now };
  const entry = await kv.get(scanner);
  const current = entry && entry.operation === 'PUT' ? parse(entry.value) : null;
  try {
    if (!entry || !current) {
      const revision = await kv.create(scanner, encode(lease));
      return { ...lease, scanner, revision };
    }
    if (current.expiresAt > now) return null;
    const revision = await kv.update(scanner, encode(lease), entry.revision);
    const previous = { worker: current.worker, expiredMsAgo: current.released ? 0 : now - current.expiresAt, released: current.released === true };
    return { ...lease, scanner, revision, previous };
  } catch {
    return null; // another worker wrote first (wrong last sequence)
  }
}

/** Extends a held lease; null when it was lost (someone else's revision is newer). */
export async function renewLease(kv: KV, held: HeldLease, leaseMs = LEASE_MS): Promise<HeldLease | null> {
  const expiresAt = Date.now() + leaseMs;
  try {
    const revision = await kv.update(held.scanner, encode({ worker: held.worker, expiresAt, since: held.since }), held.revision);
    return { ...held, expiresAt, revision };
  } catch {
    return null;
  }
}

/** Gives a lease back at once (a worker stopping cleanly, rebalancing), so another takes the scanner without
 * waiting: an expired lease marked released, so that the next holder knows it was a hand-over. */
export async function releaseLease(kv: KV, held: HeldLease): Promise<void> {
  const lease: Lease = { worker: held.worker, expiresAt: 0, since: held.since, released: true };
  await kv.update(held.scanner, encode(lease), held.revision).catch(() => {});
}

/** Who holds each scanner now (live leases only). */
export async function readLease(kv: KV, scanner: string): Promise<Lease | null> {
  const entry = await kv.get(scanner).catch(() => null);
  const lease = entry && entry.operation === 'PUT' ? parse(entry.value) : null;
  return lease && lease.expiresAt > Date.now() ? lease : null;
}
