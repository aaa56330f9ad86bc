"""The real application behind gunicorn, plus one path that holds its thread for a while: for the load-shedding
test, which needs a worker whose only thread is busy."""

import time

from config.wsgi import application as django_application

SLOW_PATH = "/__hold_the_thread__"
HOLD_SECONDS = 1.5


def application(environ, start_response):
    if environ["PATH_INFO"] == SLOW_PATH:
        time.sleep(HOLD_SECONDS)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"held"]
    return django_application(environ, start_response)
