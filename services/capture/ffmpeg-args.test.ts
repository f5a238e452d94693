import { describe, expect, it } from 'vitest';
import { captureConfig, type CameraConfig } from './config.js';
import { buildFfmpegArgs, fpsSelect, testPatternGraph, videoFilter } from './ffmpeg-args.js';
import type { FfmpegCaps } from './ffmpeg-locate.js';

const FFMPEG5: FfmpegCaps = {
  rtspTimeoutOption: 'timeout',
  fpsModeOption: 'fps_mode',
  drawtextFont: '/fonts/Sans.ttf',
};
const FFMPEG4: FfmpegCaps = { rtspTimeoutOption: 'stimeout', fpsModeOption: 'vsync', drawtextFont: undefined };

function camera(raw: Record<string, unknown>): CameraConfig {
  const cam = captureConfig({}, [{ id: 'cam', ...raw }]).cameras[0];
  if (!cam) throw new Error('no camera');
  return cam;
}

/** Splits a run of plain argv items written with single spaces. */
const words = (text: string): string[] => text.split(' ');
const HEAD = words('-hide_banner -nostdin -nostats -loglevel info');
const TAIL = words('-flush_packets 1 -f image2pipe pipe:1');
const encode = (fps: number, quality: number, mode = '-fps_mode', maxWidth = 0, arrival = false): string[] => [
  '-vf',
  videoFilter(fps, maxWidth, arrival),
  mode,
  arrival ? 'passthrough' : 'vfr',
  '-c:v',
  'mjpeg',
  '-q:v',
  String(quality),
];

describe('buildFfmpegArgs: exact argv', () => {
  it.each<{ name: string; cam: Record<string, unknown>; caps: FfmpegCaps; copy: boolean; expected: string[] }>([
    {
      name: 'RTSP over TCP (default), FFmpeg 5: -timeout in microseconds, low delay',
      cam: { url: 'rtsp://admin:s3cret@10.0.0.5:554/stream1', fps: 10, quality: 5 },
      caps: FFMPEG5,
      copy: false,
      expected: [
        ...HEAD,
        ...words('-rtsp_transport tcp -timeout 5000000 -fflags nobuffer -flags low_delay -i'),
        'rtsp://admin:s3cret@10.0.0.5:554/stream1',
        ...words('-map 0:v:0'),
        ...encode(10, 5),
        ...TAIL,
      ],
    },
    {
      name: 'RTSP over UDP, FFmpeg 4: -stimeout (its -timeout would listen) and -vsync',
      cam: { url: 'rtsp://cam/live', transport: 'udp', fps: 15, quality: 7 },
      caps: FFMPEG4,
      copy: false,
      expected: [
        ...HEAD,
        ...words('-rtsp_transport udp -stimeout 5000000 -fflags nobuffer -flags low_delay -i rtsp://cam/live'),
        ...words('-map 0:v:0'),
        ...encode(15, 7, '-vsync'),
        ...TAIL,
      ],
    },
    {
      name: 'RTSP MJPEG passed through: copy, no filter',
      cam: { url: 'rtsp://cam/mjpeg' },
      caps: FFMPEG5,
      copy: true,
      expected: [
        ...HEAD,
        ...words('-rtsp_transport tcp -timeout 5000000 -fflags nobuffer -flags low_delay -i rtsp://cam/mjpeg'),
        ...words('-map 0:v:0 -c:v copy'),
        ...TAIL,
      ],
    },
    {
      name: 'HTTP MJPEG with a resize: wall-clock timestamps, -rw_timeout, scale',
      cam: { url: 'http://cam/video.mjpg', fps: 5, maxWidth: 640 },
      caps: FFMPEG5,
      copy: false,
      expected: [
        ...HEAD,
        ...words('-rw_timeout 5000000 -fflags nobuffer -flags low_delay -use_wallclock_as_timestamps 1'),
        ...words('-i http://cam/video.mjpg -map 0:v:0'),
        ...encode(5, 5, '-fps_mode', 640, true),
        ...TAIL,
      ],
    },
    {
      name: 'HTTP MJPEG passed through',
      cam: { url: 'https://cam/video.mjpg' },
      caps: FFMPEG4,
      copy: true,
      expected: [
        ...HEAD,
        ...words('-rw_timeout 5000000 -fflags nobuffer -flags low_delay -use_wallclock_as_timestamps 1'),
        ...words('-i https://cam/video.mjpg -map 0:v:0 -c:v copy'),
        ...TAIL,
      ],
    },
    {
      name: 'a video file, looped at real-time speed, read as file: whatever its name',
      cam: { url: 'file:///etc/hostname', fps: 12 },
      caps: FFMPEG5,
      copy: false,
      expected: [...HEAD, ...words('-re -stream_loop -1 -i file:/etc/hostname -map 0:v:0'), ...encode(12, 5), ...TAIL],
    },
    {
      name: 'the test pattern with a clock (font known)',
      cam: { url: 'testsrc:?size=640x360&rate=30', fps: 15 },
      caps: FFMPEG5,
      copy: false,
      expected: [
        ...HEAD,
        ...words('-re -f lavfi -i'),
        testPatternGraph({ width: 640, height: 360, rate: 30 }, '/fonts/Sans.ttf'),
        ...words('-map 0:v:0'),
        ...encode(15, 5),
        ...TAIL,
      ],
    },
    {
      name: 'the test pattern without drawtext',
      cam: { url: 'testsrc:', fps: 10 },
      caps: FFMPEG4,
      copy: false,
      expected: [
        ...HEAD,
        ...words('-re -f lavfi -i testsrc2=size=1280x720:rate=10 -map 0:v:0'),
        ...encode(10, 5, '-vsync'),
        ...TAIL,
      ],
    },
  ])('$name', ({ cam, caps, copy, expected }) => {
    expect(buildFfmpegArgs({ camera: camera(cam), caps, readTimeoutMs: 5000, copy })).toEqual(expected);
  });

  it('READ_TIMEOUT_MS is passed in microseconds', () => {
    const args = buildFfmpegArgs({
      camera: camera({ url: 'rtsp://cam/x' }),
      caps: FFMPEG5,
      readTimeoutMs: 1500,
      copy: false,
    });
    expect(args[args.indexOf('-timeout') + 1]).toBe('1500000');
  });

  it('never passes an argument through a shell: the URL is one argv item, untouched', () => {
    const url = 'rtsp://user:p%20a$s;w`o|rd@cam/x?a=1&b=2';
    const args = buildFfmpegArgs({ camera: camera({ url }), caps: FFMPEG5, readTimeoutMs: 5000, copy: false });
    expect(args.filter((a) => a === url)).toHaveLength(1);
  });
});

describe('videoFilter', () => {
  it.each([
    {
      fps: 10,
      maxWidth: 0,
      expected: "select='isnan(prev_selected_t)+not(eq(floor(t*10),floor(prev_selected_t*10)))'",
    },
    {
      fps: 25,
      maxWidth: 1280,
      expected:
        "select='isnan(prev_selected_t)+not(eq(floor(t*25),floor(prev_selected_t*25)))',scale='min(iw,1280)':-2",
    },
    { fps: 10, maxWidth: 0, arrival: true, expected: 'setpts=N' },
    { fps: 30, maxWidth: 640, arrival: true, expected: "setpts=N,scale='min(iw,640)':-2" },
  ])('fps $fps, maxWidth $maxWidth, arrival-timed $arrival', ({ fps, maxWidth, arrival, expected }) => {
    expect(videoFilter(fps, maxWidth, arrival)).toBe(expected);
  });

  it('never uses the fps filter, which fills pauses with duplicate frames', () => {
    expect(videoFilter(10, 640)).not.toMatch(/(^|,)fps=/);
    expect(videoFilter(10, 640, true)).not.toMatch(/(^|,)fps=/);
    expect(fpsSelect(7)).toContain('floor(t*7)');
  });
});

describe('testPatternGraph', () => {
  it('burns in a clock and a frame counter sized to the picture', () => {
    expect(testPatternGraph({ width: 1280, height: 720, rate: 30 }, '/usr/share/fonts/DejaVuSans.ttf')).toBe(
      "testsrc2=size=1280x720:rate=30,drawtext=fontfile='/usr/share/fonts/DejaVuSans.ttf'" +
        ":text='%{localtime\\:%F %T}  frame %{n}':fontsize=45:fontcolor=white:box=1:boxcolor=black@0.6" +
        ':boxborderw=15:x=45:y=h-th-45',
    );
  });

  it('leaves out drawtext for a font path that would need escaping', () => {
    expect(testPatternGraph({ width: 320, height: 240, rate: 5 }, "/fonts/it's:here.ttf")).toBe(
      'testsrc2=size=320x240:rate=5',
    );
  });
});
