// Playing a recording in the page: its overlay.mp4 (masks burned in) or, with Overlay unticked, its
// source.mp4 (the frames as received), in the player under the live canvas. Switching keeps the position
// and whether it plays.
import type { RecordingInfo } from '../../core/contracts/live-status.js';
import type { Ui } from './dom.js';
import { mediaUrl } from './http.js';
import type { MessageLog } from './log.js';

export class Player {
  private recording: RecordingInfo | null = null;

  constructor(
    private readonly ui: Pick<Ui, 'player' | 'playerTitle' | 'playerOverlay' | 'playerClose' | 'playerVideo' | 'body'>,
    private readonly log: MessageLog,
  ) {
    ui.playerOverlay.addEventListener('change', () => this.load(true));
    ui.playerClose.addEventListener('click', () => this.close());
    ui.playerVideo.addEventListener('error', () => {
      const error = ui.playerVideo.error;
      if (this.recording && error) log.note(`cannot play ${this.file()}: ${error.message || `media error ${error.code}`}`, true);
    });
  }

  /** Whether a recording has a video to play. */
  static playable(recording: RecordingInfo): boolean {
    return !recording.active && recording.files.some((f) => f.name === 'overlay.mp4' || f.name === 'source.mp4');
  }

  open(recording: RecordingInfo): void {
    this.recording = recording;
    const hasOverlay = recording.files.some((f) => f.name === 'overlay.mp4');
    const hasSource = recording.files.some((f) => f.name === 'source.mp4');
    this.ui.playerOverlay.disabled = !(hasOverlay && hasSource);
    this.ui.playerOverlay.checked = hasOverlay;
    this.ui.player.hidden = false;
    this.load(false);
    void this.ui.playerVideo.play().catch(() => {});
  }

  close(): void {
    this.recording = null;
    const video = this.ui.playerVideo;
    video.pause();
    video.removeAttribute('src');
    video.load();
    this.ui.player.hidden = true;
    this.ui.body.playing = '';
  }

  private file(): string {
    return this.ui.playerOverlay.checked ? 'overlay.mp4' : 'source.mp4';
  }

  /** Point the video at the chosen file; `keep`: same position and play state as before. */
  private load(keep: boolean): void {
    const { recording, ui } = this;
    if (!recording) return;
    const video = ui.playerVideo;
    const at = video.currentTime;
    const playing = !video.paused;
    const file = this.file();
    video.src = mediaUrl(`/recordings/${encodeURIComponent(recording.id)}/${file}`);
    ui.playerTitle.textContent = `${recording.id} · ${file}`;
    ui.body.playing = `${recording.id}/${file}`;
    if (keep) {
      video.addEventListener('loadedmetadata', () => {
        video.currentTime = Math.min(at, video.duration || at);
        if (playing) void video.play().catch(() => {});
      }, { once: true });
    }
    this.log.note(`playing ${recording.id} ${file}`);
  }
}
