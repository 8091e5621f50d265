/** What the live server keeps per scanner it publishes for: the compressed streams of the clients that
 * watch it and subscribed to them, and the rolling fps and latency of its frames for their status
 * messages. `null` is the only one a single-scanner server has; a scanner's feed is made on first use. */
import { CompressedStreams } from './compressed-streams.js';
import { RollingStats } from './rolling-stats.js';

export interface ScannerFeed {
  /** The clients that subscribed to compressed frames (protocol version 2); the others get raw frames. */
  readonly compressed: CompressedStreams;
  readonly stats: RollingStats;
}

export class ScannerFeeds {
  private readonly single: ScannerFeed;
  private readonly perScanner = new Map<string, ScannerFeed>();

  constructor(private readonly log: (message: string) => void) {
    this.single = this.create();
  }

  of(scanner: string | null): ScannerFeed {
    if (scanner === null) return this.single;
    let feed = this.perScanner.get(scanner);
    if (!feed) this.perScanner.set(scanner, (feed = this.create()));
    return feed;
  }

  private create(): ScannerFeed {
    return { compressed: new CompressedStreams(this.log), stats: new RollingStats() };
  }
}
