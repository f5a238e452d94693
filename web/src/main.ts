import { PlayerUi } from './ui.js';

// `?stream=` picks the stream; without it the first stream the server lists plays.
const page = new URL(location.href);
const ui = new PlayerUi(new URL('./', page), page.searchParams.get('stream') ?? undefined);
(window as unknown as { camstream: PlayerUi }).camstream = ui;
window.addEventListener('pagehide', () => ui.close());
