// The viewer's requests to its server: `get` for JSON and files, `mediaUrl` for what an element loads by
// itself (a <video> source, a download link), `wsUrl` for the frame socket; and the access token they carry.
//
// Token: a page opened with `?token=T` takes T once, keeps it in sessionStorage for this tab (so a reload
// or a reconnection still has it), and removes it from the address bar (history.replaceState, so it stays
// out of the history and of copied links). It is then sent as `Authorization: Bearer T` on requests, and as
// `?token=T` where no header can be set: the WebSocket URL and media URLs. Without a token nothing is added.
// (The server also answers a `?token=` request with a cookie; the page does not rely on it.)

const TOKEN_KEY = 'sam2rad.token';

/** The token from the address bar (then removed from it and kept for the tab), else the tab's. */
function takeToken(): string | null {
  let token: string | null = null;
  try {
    const url = new URL(location.href);
    const given = url.searchParams.get('token');
    if (given) {
      token = given;
      url.searchParams.delete('token');
      history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
      sessionStorage.setItem(TOKEN_KEY, given);
    } else {
      token = sessionStorage.getItem(TOKEN_KEY);
    }
  } catch {
    // No session storage (e.g. disabled): the token lives as long as the page.
  }
  return token || null;
}

const token = takeToken();

/** Whether this page has an access token (for tests: the token itself is never exposed). */
export function hasToken(): boolean {
  return token !== null;
}

/** `path` with `?token=` (or `&token=`) when the page has a token. */
function withToken(path: string): string {
  if (!token) return path;
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

/** A request to the viewer's own server, with the token as a Bearer header. */
export function get(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return fetch(path, { cache: 'no-store', ...init, headers });
}

/** A URL an element fetches itself (it cannot send headers): the token goes in the query. */
export function mediaUrl(path: string): string {
  return withToken(path);
}

/** The WebSocket URL of this page's server (a browser WebSocket cannot send headers either). */
export function wsUrl(): string {
  return withToken(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
}
