import type { CameraConfig, TestPattern } from './config.js';
import type { FfmpegCaps } from './ffmpeg-locate.js';

/** What one FFmpeg run needs to know. */
export interface ArgsInput {
  readonly camera: Pick<
    CameraConfig,
    'kind' | 'url' | 'fps' | 'maxWidth' | 'quality' | 'transport' | 'filePath' | 'pattern'
  >;
  readonly caps: FfmpegCaps;
  /** Socket read timeout on network sources (READ_TIMEOUT_MS). */
  readonly readTimeoutMs: number;
  /** Copy the input's JPEGs unchanged (pass-through) instead of encoding; fps is then limited by capture. */
  readonly copy: boolean;
}

/**
 * No banner, no interactive keys (stdin is not a terminal), no progress lines
 * (stderr is read line by line); `info` keeps the input description, from
 * which capture learns the input codec.
 */
const HEAD = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'];

/** Low-delay demuxing: no input buffering, no decoder frame delay. */
const LOW_DELAY = ['-fflags', 'nobuffer', '-flags', 'low_delay'];

/**
 * Limits the frame rate to `fps` without ever duplicating a frame, for sources
 * with regular timestamps (RTSP, files, the test pattern): time is cut in slots
 * of 1/fps s and the first frame of each slot passes, so 30 -> 25 fps gives 25.
 * The `fps` filter would instead fill a pause in the input with copies of the
 * last frame, sent as a burst when input resumes (measured: a 3 s gap at fps=10
 * gave 30 extra frames; see test/ffmpeg-output.test.ts). `not(eq())` rather
 * than `gt()` so a camera whose clock jumps back keeps flowing.
 */
export function fpsSelect(fps: number): string {
  return `select='isnan(prev_selected_t)+not(eq(floor(t*${fps}),floor(prev_selected_t*${fps})))'`;
}

/**
 * Sources timed by arrival (MJPEG over HTTP) are not limited by FFmpeg: their
 * demuxer stamps frames in 1/25 s ticks, so two frames 35 ms apart can share a
 * timestamp, and both slots and `-fps_mode vfr` then drop real frames
 * (measured: 25 of a 30 fps camera). FFmpeg numbers the frames instead
 * (`setpts=N`, unique and increasing) and passes them all; capture's own
 * limiter (fps-limiter.ts) keeps `fps` on arrival times. The cost: such a
 * camera is decoded and encoded at its full rate.
 */
const ARRIVAL_TIMED = 'setpts=N';

/**
 * The `-vf` chain of an encoding run: the fps limit (or, for arrival-timed
 * sources, frame numbering), then, if asked, a scale down to maxWidth keeping
 * the aspect ratio.
 */
export function videoFilter(fps: number, maxWidth: number, arrivalTimed = false): string {
  const filters = [arrivalTimed ? ARRIVAL_TIMED : fpsSelect(fps)];
  // Never enlarges; -2 keeps the aspect ratio with an even height.
  if (maxWidth > 0) filters.push(`scale='min(iw,${maxWidth})':-2`);
  return filters.join(',');
}

/** The lavfi graph of the test pattern: `testsrc2`, with a burned-in clock and frame counter when a font is known. */
export function testPatternGraph(pattern: TestPattern, font: string | undefined): string {
  const source = `testsrc2=size=${pattern.width}x${pattern.height}:rate=${pattern.rate}`;
  // Fonts come from FONT_CANDIDATES: plain paths without quotes, colons or commas.
  if (font === undefined || /['\\:,;[\]]/.test(font)) return source;
  const size = Math.max(12, Math.round(pattern.height / 16));
  const text = `'%{localtime\\:%F %T}  frame %{n}'`;
  return (
    `${source},drawtext=fontfile='${font}':text=${text}:fontsize=${size}:fontcolor=white` +
    `:box=1:boxcolor=black@0.6:boxborderw=${Math.round(size / 3)}:x=${size}:y=h-th-${size}`
  );
}

function microseconds(ms: number): string {
  return String(ms * 1000);
}

function inputArgs({ camera, caps, readTimeoutMs }: ArgsInput): string[] {
  switch (camera.kind) {
    case 'rtsp':
      // Without a read timeout a frozen camera keeps FFmpeg blocked forever.
      return [
        '-rtsp_transport',
        camera.transport,
        `-${caps.rtspTimeoutOption}`,
        microseconds(readTimeoutMs),
        ...LOW_DELAY,
        '-i',
        camera.url,
      ];
    case 'http':
      // MJPEG over HTTP carries no timestamps: arrival time stands in, so the fps limit sees real time.
      return [
        '-rw_timeout',
        microseconds(readTimeoutMs),
        ...LOW_DELAY,
        '-use_wallclock_as_timestamps',
        '1',
        '-i',
        camera.url,
      ];
    case 'file':
      // `file:` so that a path is never read as another protocol; -re plays at real-time speed, looped.
      return ['-re', '-stream_loop', '-1', '-i', `file:${camera.filePath ?? ''}`];
    case 'testsrc':
      return [
        '-re',
        '-f',
        'lavfi',
        '-i',
        testPatternGraph(camera.pattern ?? { width: 1280, height: 720, rate: camera.fps }, caps.drawtextFont),
      ];
  }
}

/**
 * The exact FFmpeg argv (without the binary) for one camera: JPEG frames on
 * stdout, one after another, flushed as each is written. Pure: same input,
 * same argv; spawned without a shell.
 */
export function buildFfmpegArgs(input: ArgsInput): string[] {
  const { camera, caps, copy } = input;
  const arrivalTimed = camera.kind === 'http';
  const codec = copy
    ? ['-c:v', 'copy']
    : [
        '-vf',
        videoFilter(camera.fps, camera.maxWidth, arrivalTimed),
        `-${caps.fpsModeOption}`,
        // vfr: frames keep their timestamps, none duplicated; passthrough: none dropped either.
        arrivalTimed ? 'passthrough' : 'vfr',
        '-c:v',
        'mjpeg',
        '-q:v',
        String(camera.quality),
      ];
  return [...HEAD, ...inputArgs(input), '-map', '0:v:0', ...codec, '-flush_packets', '1', '-f', 'image2pipe', 'pipe:1'];
}
