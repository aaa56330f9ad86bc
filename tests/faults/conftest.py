import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults.stack import Stack


@pytest.fixture
def stack():
    """A fresh stack per test: faults leave damage behind, and no test should inherit another's."""
    # Not pytest's tmp_path: that is private to root, and PostgreSQL runs as the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="civic311-stack-"))
    stack = Stack(folder)
    try:
        stack.start_redis()
        stack.create_database()
        yield stack
    finally:
        stack.close()
        shutil.rmtree(folder, ignore_errors=True)
