/** Which model made a result: written into recordings, shown in /healthz. */
import type { Precision } from '../runtime/manifest.js';

export interface ModelIdentity {
  readonly name: string;
  readonly version: string;
  readonly manifestSha256: string;
  /** The graphs that ran: fp32, or a manifest variant. */
  readonly precision: Precision;
}
