import { isValidStreamId } from '../../shared/index.js';
import { formatBitrate, formatMs } from './format.js';
import { StreamPlayer, type DrawnFrame, type PlayerState, type PlayerStats } from './player.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el as T;
};

const BADGE: Partial<Record<PlayerState, string>> = {
  stalled: 'STALLED',
  offline: 'OFFLINE',
  reconnecting: 'RECONNECTING',
};

/** The page around a StreamPlayer: stream picker, controls, status bar, shortcuts. */
export class PlayerUi {
  player: StreamPlayer | undefined;
  private streamId: string;
  private state: PlayerState = 'connecting';
  private readonly canvas = $<HTMLCanvasElement>('canvas');
  private readonly select = $<HTMLSelectElement>('stream-select');
  private readonly badge = $('badge');
  private readonly pauseBtn = $<HTMLButtonElement>('btn-pause');
  private readonly statsBtn = $<HTMLButtonElement>('btn-stats');
  private readonly cleanups: Array<() => void> = [];
  private pickerTimer: ReturnType<typeof setInterval> | undefined;
  private readonly frameListeners = new Set<(frame: DrawnFrame) => void>();

  constructor(
    private readonly baseUrl: URL,
    initialStream: string | undefined,
  ) {
    this.streamId = initialStream ?? '';
    this.on($('btn-pause'), 'click', () => this.togglePause());
    this.on($('btn-fullscreen'), 'click', () => this.toggleFullscreen());
    this.on($('btn-snapshot'), 'click', () => this.snapshot());
    this.on($('btn-stats'), 'click', () => this.toggleStats());
    this.on($('btn-retry'), 'click', () => this.player?.retryNow());
    this.on(this.select, 'change', () => this.play(this.select.value));
    this.on(document, 'keydown', (ev) => this.onKey(ev as KeyboardEvent));
    this.on(document, 'visibilitychange', () => this.player?.setHidden(document.hidden));
    void this.refreshPicker();
    this.pickerTimer = setInterval(() => void this.refreshPicker(), 5000);
    if (this.streamId) this.play(this.streamId);
  }

  /** Switches to `streamId`, closing the previous player. */
  play(streamId: string): void {
    if (!isValidStreamId(streamId)) return;
    this.player?.close();
    this.streamId = streamId;
    const url = new URL(this.baseUrl);
    url.searchParams.set('stream', streamId);
    history.replaceState(null, '', url);
    const ws = new URL(`streams/${encodeURIComponent(streamId)}/ws`, this.baseUrl);
    ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
    ws.search = '';
    const token = this.baseUrl.searchParams.get('token');
    if (token) ws.searchParams.set('token', token);
    this.player = new StreamPlayer({
      url: ws.toString(),
      streamId,
      canvas: this.canvas,
      onState: (state, detail) => this.showState(state, detail),
      onStats: (stats) => this.showStats(stats),
      onFrameDrawn: (frame) => this.frameListeners.forEach((l) => l(frame)),
    });
    this.player.setHidden(document.hidden);
    this.showState(this.player.state, 'connecting');
    this.pauseBtn.textContent = 'Pause';
    if (this.select.value !== streamId) this.select.value = streamId;
  }

  /** Calls `listener` after each drawn frame (measurements, tests); returns the unsubscribe. */
  onFrameDrawn(listener: (frame: DrawnFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** Frees the player, timers and listeners. */
  close(): void {
    this.player?.close();
    clearInterval(this.pickerTimer);
    this.frameListeners.clear();
    for (const c of this.cleanups) c();
  }

  private on(target: EventTarget, type: string, fn: (ev: Event) => void): void {
    target.addEventListener(type, fn);
    this.cleanups.push(() => target.removeEventListener(type, fn));
  }

  private async refreshPicker(): Promise<void> {
    let ids: string[];
    try {
      const res = await fetch(new URL(`streams${this.baseUrl.search}`, this.baseUrl));
      if (!res.ok) return;
      ids = ((await res.json()) as { streams: Array<{ id: string }> }).streams.map((s) => s.id);
    } catch {
      return;
    }
    if (!this.streamId && ids.length > 0) this.play(ids[0] as string);
    if (this.streamId && !ids.includes(this.streamId)) ids.unshift(this.streamId);
    const current = [...this.select.options].map((o) => o.value);
    if (current.join('\n') !== ids.join('\n')) {
      this.select.replaceChildren(...ids.map((id) => new Option(id, id, false, id === this.streamId)));
    }
    if (!this.streamId && ids.length === 0) this.showState('offline', 'no streams yet');
  }

  private showState(state: PlayerState, detail: string): void {
    this.state = state;
    $('status-dot').className = `dot ${state}`;
    $('status-text').textContent = state;
    $('status-detail').textContent = detail === state ? '' : detail;
    this.updateBadge();
  }

  private updateBadge(): void {
    const paused = this.player?.isPaused ?? false;
    const text = BADGE[this.state] ?? (paused ? 'PAUSED' : '');
    this.badge.textContent = text;
    this.badge.className = BADGE[this.state] ? this.state : paused ? 'paused' : '';
    this.badge.hidden = text === '';
  }

  private showStats(s: PlayerStats): void {
    $('stat-latency').textContent = formatMs(s.latencyMs);
    $('stat-fps').textContent = s.fps.toFixed(1);
    $('stat-bitrate').textContent = formatBitrate(s.bitrate);
    $('stat-frames').textContent = String(s.frames);
    $('stat-dropped').textContent = `${s.droppedHere} / ${s.droppedByServer}`;
    $('stat-dropped').title = 'dropped here / dropped by the server for this viewer';
    $('stat-resolution').textContent = s.drawn > 0 ? `${s.width}x${s.height}` : '–';
  }

  private togglePause(): void {
    if (!this.player) return;
    const paused = !this.player.isPaused;
    this.player.setPaused(paused);
    this.pauseBtn.textContent = paused ? 'Resume' : 'Pause';
    this.pauseBtn.setAttribute('aria-label', paused ? 'Resume (space)' : 'Pause (space)');
    this.updateBadge();
  }

  private toggleStats(): void {
    const hidden = document.body.classList.toggle('no-stats');
    this.statsBtn.setAttribute('aria-pressed', String(!hidden));
  }

  private toggleFullscreen(): void {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void $('stage').requestFullscreen?.();
  }

  private snapshot(): void {
    const frame = this.player?.currentFrame();
    if (!frame) return;
    const url = URL.createObjectURL(new Blob([frame.jpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${this.streamId}-${frame.seq}.jpg`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target instanceof HTMLSelectElement) return;
    const actions: Record<string, () => void> = {
      ' ': () => this.togglePause(),
      k: () => this.togglePause(),
      f: () => this.toggleFullscreen(),
      s: () => this.snapshot(),
      i: () => this.toggleStats(),
      r: () => this.player?.retryNow(),
    };
    const action = actions[ev.key.toLowerCase()];
    if (!action) return;
    ev.preventDefault();
    action();
  }
}
