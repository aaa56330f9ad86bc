"""The erasure ledger: every contact erasure, appended to a file kept outside the database.

A backup restored after an erasure would bring the erased contact back; ``make restore`` replays this ledger
(``manage.py replay_erasures``) so it never does. The ledger holds request ids and times only, no personal data.
Keep it on storage that backups are not restored over (``ERASURE_LEDGER_PATH``).
"""

import fcntl
import json
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone


def _path() -> Path:
    return Path(settings.ERASURE_LEDGER_PATH)


def record_erasures(service_request_ids, *, words: bool = False) -> None:
    """Append one line per erased request, once the erasure has committed."""
    ids = sorted(set(service_request_ids))
    if not ids:
        return
    at = timezone.now().isoformat()

    def append():
        path = _path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # several web and worker processes append to the same file
            f.write("".join(json.dumps({"service_request_id": pk, "at": at, "words": words}) + "\n" for pk in ids))
            f.flush()
            os.fsync(f.fileno())

    transaction.on_commit(append)


def erasures() -> list[dict]:
    """Every entry, oldest first; a request erased twice keeps ``words`` if either erasure asked for it."""
    path = _path()
    if not path.exists():
        return []
    entries: dict[int, dict] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            entry = json.loads(line)
            seen = entries.setdefault(entry["service_request_id"], entry)
            seen["words"] = seen["words"] or entry["words"]
    return list(entries.values())
