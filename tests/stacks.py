"""Whole stacks of real processes (tests/faults/stack.py) for the fault and scale-out tests: one migrated and
seeded cluster per run, copied for each test."""

import logging
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults.stack import Stack


def _folder() -> Path:
    # Not pytest's tmp_path: that is private to root, and PostgreSQL runs as the postgres user.
    return Path(tempfile.mkdtemp(prefix="civic311-stack-"))


STACK_TESTS = ("tests/faults/", "tests/scale/")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (scripts/test.sh runs --dist loadgroup), the tests on the seeded cluster run one after
    another in one process: the cluster is seeded once, and no two stacks of processes compete for the cores. (Not
    with xdist's own xdist_group mark: under pytest 9.2 xdist 3.8 can no longer write the group into a test's id.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class StacksInOneProcess(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return "stacks" if nodeid.startswith(STACK_TESTS) else nodeid

    return StacksInOneProcess(config, log)


@pytest.fixture(scope="session")
def seeded_cluster():
    """One migrated and seeded PostgreSQL cluster, stopped, that every test's stack starts from a copy of."""
    folder = _folder()
    template = Stack(folder)
    try:
        template.create_database()
        api_key = template.seed()
        template.stop_postgres()
        yield template.pg_dir, api_key
    finally:
        template.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def stack(seeded_cluster, caplog):
    """A fresh stack per test: faults leave damage behind, and no test should inherit another's."""
    # Hundreds of filings per test: httpx's one line per request would bury a failure's report.
    caplog.set_level(logging.WARNING, logger="httpx")
    template, api_key = seeded_cluster
    folder = _folder()
    stack = Stack(folder)
    stack.api_key = api_key
    try:
        stack.start_redis()
        stack.copy_database(template)
        yield stack
    finally:
        stack.close()
        shutil.rmtree(folder, ignore_errors=True)
