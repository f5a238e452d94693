/**
 * node-rtsp-stream (the peer we measure against), run unchanged but for one
 * thing: its WebSocket server is bound to 127.0.0.1 (it binds every interface
 * by default, and load tests here only target loopback).
 *
 *   node bench/node-rtsp-stream-server.cjs <rtsp-url> <ws-port>
 *   -> prints {"msg":"node-rtsp-stream listening","url":"http://127.0.0.1:<port>"}
 */
'use strict';
const path = require('node:path');

const pkgDir = path.dirname(require.resolve('node-rtsp-stream/package.json'));
const ws = require(require.resolve('ws', { paths: [pkgDir] }));
const Original = ws.Server;
ws.Server = class LoopbackServer extends Original {
  constructor(options, callback) {
    super({ ...options, host: '127.0.0.1' }, callback);
    this.once('listening', () => {
      const { port } = this.address();
      process.stdout.write(
        JSON.stringify({ msg: 'node-rtsp-stream listening', url: `http://127.0.0.1:${port}` }) + '\n',
      );
    });
  }
};

const Stream = require('node-rtsp-stream');
const [streamUrl, wsPort] = process.argv.slice(2);
const stream = new Stream({
  name: 'bench',
  streamUrl,
  wsPort: Number(wsPort),
  ffmpegOptions: { '-stats': '', '-r': 30, '-loglevel': 'error' },
});
process.on('SIGTERM', () => {
  stream.stop();
  process.exit(0);
});
