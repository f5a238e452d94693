import { Counter, Gauge, type Registry } from 'prom-client';
import type { StreamStatus } from '../../shared/index.js';
import type { StreamInfo } from './stream-hub.js';
import { TallyCounter, TallyHistogram } from './tally.js';

/** Where gauges read their values at scrape time. */
export interface MetricSources {
  streams(): readonly StreamInfo[];
  viewers(streamId: string): number;
}

const STATES: readonly StreamStatus[] = ['live', 'stalled', 'offline'];

/** Every ingest metric, registered on the injected registry. */
export function createIngestMetrics(registry: Registry, sources: MetricSources) {
  const registers = [registry];
  return {
    framesReceived: new TallyCounter({
      name: 'ingest_frames_received_total',
      help: 'Frames accepted from publishers.',
      labelNames: ['stream'] as const,
      registers,
    }),
    bytesReceived: new TallyCounter({
      name: 'ingest_bytes_received_total',
      help: 'JPEG bytes accepted from publishers.',
      labelNames: ['stream'] as const,
      registers,
    }),
    framesRejected: new Counter({
      name: 'ingest_frames_rejected_total',
      help: 'Ingest requests refused, by error code.',
      labelNames: ['reason'] as const,
      registers,
    }),
    framesOutOfOrder: new Counter({
      name: 'ingest_frames_out_of_order_total',
      help: 'Frames answered 204 but not published because a newer frame of the stream came first.',
      labelNames: ['stream'] as const,
      registers,
    }),
    framesSent: new TallyCounter({
      name: 'fanout_frames_sent_total',
      help: 'Frames written to viewer sockets.',
      labelNames: ['stream'] as const,
      registers,
    }),
    framesDropped: new TallyCounter({
      name: 'fanout_frames_dropped_total',
      help: 'Frames skipped for a viewer that was behind (window_full: unacknowledged frames; buffer_full: unsent bytes; server_busy: a newer frame came before the fan-out reached the viewer).',
      labelNames: ['stream', 'reason'] as const,
      registers,
    }),
    sendLatency: new TallyHistogram({
      name: 'fanout_send_latency_seconds',
      help: 'Time from ingest accepting a frame to writing it to viewer sockets: one sample per fan-out (its last write) and one per frame sent later to a viewer that was behind.',
      labelNames: ['stream'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    viewersRefused: new Counter({
      name: 'fanout_viewers_refused_total',
      help: 'Viewer connections refused, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    viewersClosed: new Counter({
      name: 'fanout_viewers_closed_total',
      help: 'Viewer connections ended, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    streams: new Gauge({
      name: 'ingest_streams',
      help: 'Streams held by the hub.',
      registers,
      collect() {
        this.set(sources.streams().length);
      },
    }),
    streamState: new Gauge({
      name: 'ingest_stream_state',
      help: 'Stream status: 1 for the current state, 0 for the others.',
      labelNames: ['stream', 'state'] as const,
      registers,
      collect() {
        this.reset();
        for (const s of sources.streams()) {
          for (const state of STATES) this.set({ stream: s.id, state }, s.status === state ? 1 : 0);
        }
      },
    }),
    streamFps: new Gauge({
      name: 'ingest_stream_fps',
      help: 'Frames per second received, measured over the last second.',
      labelNames: ['stream'] as const,
      registers,
      collect() {
        this.reset();
        for (const s of sources.streams()) this.set({ stream: s.id }, s.fps);
      },
    }),
    streamBitrate: new Gauge({
      name: 'ingest_stream_bitrate_bits',
      help: 'JPEG bits per second received, measured over the last second.',
      labelNames: ['stream'] as const,
      registers,
      collect() {
        this.reset();
        for (const s of sources.streams()) this.set({ stream: s.id }, s.bitrate);
      },
    }),
    streamLastFrameAge: new Gauge({
      name: 'ingest_stream_last_frame_age_seconds',
      help: 'Seconds since the stream last received a frame (absent before the first).',
      labelNames: ['stream'] as const,
      registers,
      collect() {
        this.reset();
        for (const s of sources.streams()) {
          if (s.lastFrameAgeMs !== null) this.set({ stream: s.id }, s.lastFrameAgeMs / 1000);
        }
      },
    }),
    viewers: new Gauge({
      name: 'fanout_viewers',
      help: 'Connected viewers per stream.',
      labelNames: ['stream'] as const,
      registers,
      collect() {
        this.reset();
        for (const s of sources.streams()) this.set({ stream: s.id }, sources.viewers(s.id));
      },
    }),
  };
}

/** The metrics object `createIngestMetrics` returns. */
export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
