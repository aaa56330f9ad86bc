"""A stand-in for Twilio's REST API on 127.0.0.1: answers each POST with the next queued status."""

import contextlib
import http.server
import json
import threading
import urllib.parse

PORTS = range(8300, 8400)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        server = self.server
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        server.received.append(
            {"path": self.path, "auth": self.headers["Authorization"], **{k: v[0] for k, v in form.items()}}
        )
        status = server.statuses.pop(0) if server.statuses else 201
        body = json.dumps({"sid": f"SM{len(server.received):032d}"} if status == 201 else {"code": 30006}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # keep the test output to what the project logs


@contextlib.contextmanager
def fake_twilio(statuses=()):
    for port in PORTS:
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Handler)
            break
        except OSError:
            continue
    else:
        raise RuntimeError("no free port in 8300-8399")
    server.received, server.statuses = [], list(statuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
