"""A minimal Open311 GeoReport v2 server and webhook receiver, served over real HTTP from the test process.

It takes requests onward (POST requests.json), answers servicerequestupdates.json with what a test scripted,
receives signed webhooks and verifies them with the Standard Webhooks reference library, and can be "down"
(answering 503) for as long as a test wants.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from standardwebhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, *, webhook_secret: str | None = None):
        self.down = False
        self.lock = threading.Lock()
        self.filed: list[list[tuple[str, str]]] = []  # POST requests.json bodies, as form pairs
        self.webhooks: list[tuple[dict, dict]] = []  # (headers, parsed body) of verified webhooks
        self.refused: list[str] = []  # why a webhook was refused
        self.updates: list[dict] = []  # what servicerequestupdates.json answers
        self.update_queries: list[dict] = []
        self.webhook_secret = webhook_secret
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, code: int, body=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if receiver.down:
                    return self._answer(503, [{"code": 503, "description": "down"}])
                url = urlsplit(self.path)
                if "/tokens/" in url.path:
                    return self._answer(200, [{"token": "T-1", "service_request_id": "EXT-LATER"}])
                if url.path.endswith("servicerequestupdates.json"):
                    receiver.update_queries.append(dict(parse_qsl(url.query)))
                    return self._answer(200, receiver.updates)
                return self._answer(404, [{"code": 404, "description": "not here"}])

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.down:
                    return self._answer(503, [{"code": 503, "description": "down"}])
                if self.path.endswith("requests.json"):
                    if ("service_code", "BATCH") in parse_qsl(body.decode()):
                        return self._answer(200, [{"token": "T-1"}])  # a batch service: the id comes later
                    if ("service_code", "UNKNOWN") in parse_qsl(body.decode()):
                        return self._answer(404, [{"code": 404, "description": "service_code UNKNOWN not found"}])
                    with receiver.lock:
                        receiver.filed.append(parse_qsl(body.decode(), keep_blank_values=True))
                        number = len(receiver.filed)
                    return self._answer(200, [{"service_request_id": f"EXT-{number}"}])
                if self.path.startswith("/hooks"):
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    try:
                        payload = Webhook(receiver.webhook_secret).verify(body, headers)
                    except WebhookVerificationError as exc:
                        receiver.refused.append(str(exc))
                        return self._answer(400, {"error": str(exc)})
                    with receiver.lock:
                        receiver.webhooks.append((headers, payload))
                    return self._answer(200, {"external_id": "HOOK-1"} if self.path.endswith("handover") else {})
                return self._answer(404, [{"code": 404, "description": "not here"}])

        return Handler
