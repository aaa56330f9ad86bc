"""gunicorn settings for every way Civic311 is served (make run, docker, load tests): an access log on standard
output with the request line, query string and referrer redacted (config/redaction.py)."""

import os

from gunicorn.glogging import Logger

from config.redaction import redact

# Threads, so a slow or idle client holds a thread rather than a process, and a worker that sheds load past
# capacity (503 with Retry-After, config/shedding.py) rather than queueing requests until they time out.
worker_class = "config.shedding.SheddingThreadWorker"
threads = int(os.environ.get("WEB_THREADS", "4"))

accesslog = "-"
# No %(a)s (user agent) and no cookies; the request line, status, size and time.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s "%(f)s" %(M)sms'


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "q", "f", "{raw_uri}e"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms


logger_class = RedactingLogger
