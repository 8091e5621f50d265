// The Recording panel: the start/stop button and GET /recordings rendered as a list of download links and
// a Play button (playback.ts), refetched whenever a status message says the list changed.
import type { RecordingInfo, RecordingState } from '../../core/contracts/live-status.js';
import type { AckMessage, StatusMessage } from '../server/wire-format.js';
import type { ControlRequest } from './connection.js';
import { errorText, type Ui } from './dom.js';
import { get, mediaUrl } from './http.js';
import type { MessageLog } from './log.js';
import { Player } from './playback.js';

function describe(recording: RecordingInfo): string {
  if (recording.active) return 'recording…';
  const frames = recording.frameCount ?? '?';
  if (recording.error) return `${frames} frames · ${recording.error}`;
  return recording.complete ? `${frames} frames` : `${frames} frames · incomplete`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function recordingItem(recording: RecordingInfo, player: Player | null): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.id = recording.id;
  const title = document.createElement('div');
  title.textContent = recording.id;
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = describe(recording);
  const links = document.createElement('div');
  for (const file of recording.files) {
    const link = document.createElement('a');
    link.href = mediaUrl(`/recordings/${encodeURIComponent(recording.id)}/${encodeURIComponent(file.name)}`);
    link.download = '';
    link.textContent = file.name;
    link.title = formatBytes(file.bytes);
    links.append(link);
  }
  if (player && Player.playable(recording)) {
    const play = document.createElement('button');
    play.type = 'button';
    play.className = 'play';
    play.textContent = 'Play';
    play.title = 'Play this recording here (overlay.mp4, or source.mp4 with Overlay unticked)';
    play.addEventListener('click', () => player.open(recording));
    links.prepend(play);
  }
  item.append(title, meta, links);
  return item;
}

/** Fetch the list and render it into `list` (with Play buttons when given a player); resolves with the
 * number of recordings. */
export async function refreshRecordings(list: HTMLUListElement, player: Player | null = null): Promise<number> {
  const response = await get('/recordings');
  const body = (await response.json()) as RecordingInfo[] | { error?: string };
  if (!response.ok || !Array.isArray(body)) {
    throw new Error((!Array.isArray(body) && body.error) || `GET /recordings failed: ${response.status}`);
  }
  list.replaceChildren(...body.map((recording) => recordingItem(recording, player)));
  return body.length;
}

export class RecordingsPanel {
  private recording = false;
  private revision = -1;
  /** Last recording failure shown, so each is reported once. */
  private lastError: string | null = null;

  constructor(
    private readonly ui: Pick<Ui, 'record' | 'recordings' | 'body'>,
    private readonly request: (message: ControlRequest) => Promise<AckMessage>,
    private readonly log: MessageLog,
    private readonly player: Player | null = null,
  ) {
    ui.record.addEventListener('click', () => void this.toggle());
  }

  /** The recording state and list revision of a status message. */
  showStatus(status: StatusMessage): void {
    const recording: RecordingState | null = status.recording;
    this.setRecording(recording?.active === true);
    const error = recording?.error ?? null;
    if (error && error !== this.lastError) this.log.note(error, true);
    this.lastError = error;
    if (status.recordingsRevision !== this.revision) {
      this.revision = status.recordingsRevision;
      void this.load();
    }
  }

  async load(): Promise<void> {
    try {
      this.ui.body.recordingsCount = String(await refreshRecordings(this.ui.recordings, this.player));
    } catch (err) {
      this.log.note(errorText(err), true);
    }
  }

  private setRecording(active: boolean): void {
    this.recording = active;
    this.ui.body.recording = String(active);
    this.ui.record.textContent = active ? 'Stop recording' : 'Start recording';
  }

  private async toggle(): Promise<void> {
    const action = this.recording ? 'stop' : 'start';
    this.ui.record.disabled = true;
    try {
      const ack = await this.request({ type: 'record', action });
      this.setRecording(action === 'start');
      this.log.note(ack.message);
      await this.load();
    } catch (err) {
      this.log.note(errorText(err), true);
    } finally {
      this.ui.record.disabled = false;
    }
  }
}
