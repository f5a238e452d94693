import { describe, expect, it } from 'vitest';
import { findExecutable, parseCaps, parseFfmpegVersion } from './ffmpeg-locate.js';

describe('findExecutable', () => {
  const files = new Set(['/opt/ff/bin/ffmpeg', '/usr/bin/ffmpeg', '/usr/bin/setpriv']);
  const isExec = (f: string): boolean => files.has(f);

  it.each([
    {
      name: 'the first directory that has it',
      path: '/usr/local/bin:/opt/ff/bin:/usr/bin',
      expected: '/opt/ff/bin/ffmpeg',
    },
    { name: 'a later directory', path: '/usr/local/bin:/usr/bin', expected: '/usr/bin/ffmpeg' },
    { name: 'empty entries skipped', path: '::/usr/bin', expected: '/usr/bin/ffmpeg' },
    { name: 'nowhere', path: '/usr/local/bin:/sbin', expected: undefined },
    { name: 'an empty PATH', path: '', expected: undefined },
  ])('finds $name', ({ path, expected }) => {
    expect(findExecutable('ffmpeg', path, isExec)).toBe(expected);
  });

  it('treats an unset PATH as empty', () => {
    expect(findExecutable('ffmpeg', undefined, isExec)).toBeUndefined();
  });
});

describe('parseFfmpegVersion', () => {
  it.each([
    {
      text: 'ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\n',
      expected: '5.1.9-0+deb12u1',
    },
    {
      text: 'ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2018\n',
      expected: 'N-47683-g0e8eb07980-static',
    },
    { text: 'ffmpeg version n7.1 Copyright (c) 2000-2024\nbuilt with gcc', expected: 'n7.1' },
    { text: 'avconv version 12\n', expected: undefined },
    { text: '', expected: undefined },
  ])('$expected', ({ text, expected }) => {
    expect(parseFfmpegVersion(text)).toBe(expected);
  });
});

// Excerpts of the real help output of FFmpeg 5.1 (Debian) and 4.1 (@ffmpeg-installer's static build).
const RTSP_HELP_5 = `Demuxer rtsp [RTSP input]:
  -rtsp_transport    <flags>      ED......... set RTSP transport protocols (default 0)
  -listen_timeout    <int>        .D......... set maximum timeout (in seconds) to wait for incoming connections
  -timeout           <int64>      .D......... set timeout (in microseconds) of socket I/O operations
`;
const RTSP_HELP_4 = `Demuxer rtsp [RTSP input]:
  -rtsp_transport    <flags>      ED....... set RTSP transport protocols (default 0)
  -timeout           <int>        .D....... set maximum timeout (in seconds) to wait for incoming connections (-1 is infinite, imply flag listen)
  -stimeout          <int>        .D....... set timeout (in microseconds) of socket TCP I/O operations (from INT_MIN to INT_MAX) (default 0)
`;
const LONG_HELP_5 = `-vsync              set video sync method globally; deprecated, use -fps_mode
-fps_mode           set framerate mode for matching video streams; overrides vsync
`;
const LONG_HELP_4 = `-vsync              video sync method
`;
const FILTERS = ` T.C drawtext          V->V       Draw text on top of video frames using libfreetype library.
 ... select            V->N       Select video frames to pass in output.
`;

describe('parseCaps', () => {
  it('FFmpeg 5: -timeout, -fps_mode, drawtext with the font found', () => {
    expect(parseCaps(RTSP_HELP_5, LONG_HELP_5, FILTERS, '/f.ttf')).toEqual({
      rtspTimeoutOption: 'timeout',
      fpsModeOption: 'fps_mode',
      drawtextFont: '/f.ttf',
    });
  });

  it('FFmpeg 4: -stimeout (its -timeout would make FFmpeg listen), -vsync', () => {
    expect(parseCaps(RTSP_HELP_4, LONG_HELP_4, FILTERS, '/f.ttf')).toEqual({
      rtspTimeoutOption: 'stimeout',
      fpsModeOption: 'vsync',
      drawtextFont: '/f.ttf',
    });
  });

  it('no drawtext filter, or no font: no clock on the test pattern', () => {
    expect(parseCaps(RTSP_HELP_5, LONG_HELP_5, ' ... select   V->N  Select\n', '/f.ttf').drawtextFont).toBeUndefined();
    expect(parseCaps(RTSP_HELP_5, LONG_HELP_5, FILTERS, undefined).drawtextFont).toBeUndefined();
  });
});
