"""Publishing a task once a change has committed, without letting an unreachable broker undo or fail the change."""

import logging

from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    """Publish ``task`` with ``args``; with the broker away, log and go on. Only for work that waits in a row of
    its own meanwhile (a request pending routing, a notification pending sending), so nothing is lost."""
    try:
        task.delay(*args)
    except (KombuError, RedisError, OSError):
        logger.warning("could not enqueue %s%s; it waits in the database", task.name, args, exc_info=True)
