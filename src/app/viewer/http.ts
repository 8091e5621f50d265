// The viewer's requests to its server: `get` for JSON and files, `mediaUrl` for what an element loads by
// itself (a <video> source), `wsUrl` for the frame socket. One place for what every request must carry.

/** A GET (or other) request to the viewer's own server. */
export function get(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path, { cache: 'no-store', ...init });
}

/** A URL an element fetches itself (it cannot send headers). */
export function mediaUrl(path: string): string {
  return path;
}

/** The WebSocket URL of this page's server. */
export function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
