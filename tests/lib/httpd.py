#!/usr/bin/env python3
"""tests/lib/httpd.py: a misbehaving web server for the download tests.

    httpd.py DIR     serve DIR on 127.0.0.1, on a free port printed as the first line

The first part of the path picks how a file under DIR is served:
  /ok/F        normally (Range requests honoured)
  /404/F       404 Not Found, always
  /slow/F      a few bytes every half second, below gilbench's low-speed limit
  /pace/F      16 KiB every 100 ms (160 KiB/s: slow enough to overlap, fast enough)
  /gate/F      16 KiB, then the rest only once a file F.gate exists beside F (a test opens
               the gate when it has seen what it waits for, however slow the machine)
  /drop/F      first request for F: full headers, half the body, then the connection is
               closed; later requests are served normally, Range honoured
  /norange/F   like /drop/, but later requests ignore Range (a whole 200 answer)
  /flaky/F     first request for F: 503; later ones normally
Each request is logged on stderr as "METHOD PATH range=RANGE status=N". The server exits by
itself after 300 seconds so that a test that forgets it leaves nothing running for long.
"""
import http.server
import os
import re
import sys
import threading
import time

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
LIFETIME = 300
seen = set()
lock = threading.Lock()


def first(key):
    """True the first time key is seen."""
    with lock:
        if key in seen:
            return False
        seen.add(key)
        return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, status):
        sys.stderr.write("%s %s range=%s status=%d\n" % (self.command, self.path,
                         self.headers.get("Range", "-"), status))
        sys.stderr.flush()

    def fail(self, status):
        self.note(status)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        m = re.match(r"^/([a-z0-9]+)/(.+)$", self.path)
        if not m:
            return self.fail(404)
        mode, name = m.group(1), m.group(2)
        path = os.path.normpath(os.path.join(ROOT, name))
        if not path.startswith(ROOT + os.sep) or not os.path.isfile(path) or mode == "404":
            return self.fail(404)
        with open(path, "rb") as f:
            data = f.read()
        if mode == "flaky" and first(path):
            return self.fail(503)
        start = 0
        rng = self.headers.get("Range")
        dropping = mode in ("drop", "norange") and first(path)
        honour = mode != "norange"
        rm = re.match(r"^bytes=(\d+)-(\d*)$", rng or "")
        status = 200
        body = data
        if rm and honour and not dropping:
            start = int(rm.group(1))
            end = int(rm.group(2)) if rm.group(2) else len(data) - 1
            if start >= len(data):
                self.note(416)
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = data[start:end + 1]
            status = 206
        self.note(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, start + len(body) - 1, len(data)))
        self.end_headers()
        try:
            if dropping:
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
            elif mode == "slow":
                for i in range(0, len(body), 64):
                    self.wfile.write(body[i:i + 64])
                    self.wfile.flush()
                    time.sleep(0.5)
            elif mode == "gate":
                self.wfile.write(body[:16384])
                self.wfile.flush()
                gate = path + ".gate"
                for _ in range(3000):
                    if os.path.exists(gate):
                        break
                    time.sleep(0.05)
                self.wfile.write(body[16384:])
            elif mode == "pace":
                for i in range(0, len(body), 16384):
                    self.wfile.write(body[i:i + 16384])
                    self.wfile.flush()
                    time.sleep(0.1)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.handle_error = lambda request, address: None  # clients that hang up are expected
    print(srv.server_address[1], flush=True)
    threading.Timer(LIFETIME, lambda: os._exit(0)).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
