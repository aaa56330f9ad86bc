"""Load shedding: past capacity, answer 503 at once rather than let requests wait in line until they time out.

gunicorn's threaded worker hands each request to its thread pool's queue as soon as the request arrives; when
more arrive than the threads can serve, that queue grows without bound and every answer comes late. This worker
notes how long each request waited for a thread and passes it to Django in a header only the worker sets (a
client's own copy is dropped). ``config.middleware.LoadSheddingMiddleware`` answers a request that waited longer
than ``WEB_MAX_QUEUE_WAIT_MS`` with 503 and Retry-After, before any view or query runs: the line drains in a
fraction of a millisecond a request, and the requests still served stay fast.
"""

import time

from gunicorn.workers.gthread import ThreadWorker

QUEUE_WAIT_HEADER = "X-CIVIC311-QUEUE-WAIT-MS"


class SheddingThreadWorker(ThreadWorker):
    def enqueue_req(self, conn):
        conn.civic311_queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn):
        # Taken when a thread picks the request up: the wait for its data to arrive is the client's, not ours.
        conn.civic311_waited_ms = (time.monotonic() - conn.civic311_queued_at) * 1000
        return super().handle(conn)

    def handle_request(self, req, conn):
        req.headers = [(name, value) for name, value in req.headers if name != QUEUE_WAIT_HEADER]
        req.headers.append((QUEUE_WAIT_HEADER, f"{getattr(conn, 'civic311_waited_ms', 0.0):.1f}"))
        return super().handle_request(req, conn)
