#!/usr/bin/python3
"""RTSP test camera for capture's integration tests: Debian's GStreamer RTSP server.

Serves a live test source (videotestsrc is-live=true) on 127.0.0.1, either H.264
(x264enc tune=zerolatency -> rtph264pay) or MJPEG (jpegenc -> rtpjpegpay), behind
HTTP basic auth. Prints "READY <port>" on stdout once it listens; stops on SIGTERM
or SIGINT. Run by Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0).

usage: rtsp-server.py --port N --user U --password P [--path /cam] [--codec h264|mjpeg]
                      [--width 640] [--height 360] [--fps 30]
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--path", default="/cam")
    parser.add_argument("--codec", choices=["h264", "mjpeg"], default="h264")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--fps", type=int, default=30)
    args = parser.parse_args()

    Gst.init(None)
    caps = f"video/x-raw,width={args.width},height={args.height},framerate={args.fps}/1"
    if args.codec == "h264":
        # One keyframe a second so a client that joins a shared stream waits at most that.
        encode = (
            f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={args.fps} "
            "! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1"
        )
    else:
        # RTP/JPEG (RFC 2435) carries 4:2:0 or 4:2:2 only: jpegenc would otherwise pick 4:4:4.
        encode = "video/x-raw,format=I420 ! jpegenc quality=80 ! rtpjpegpay name=pay0 pt=26"
    launch = f"( videotestsrc is-live=true pattern=ball ! {caps} ! videoconvert ! {encode} )"

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(True)

    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
    permissions.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
    factory.set_permissions(permissions)

    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
        return 1

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, loop.quit)
    print(f"READY {args.port}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
