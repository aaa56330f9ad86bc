import os

import pytest

# pytest-playwright runs an event loop in the test thread; Django refuses ORM calls there without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The stack fixtures are shared by tests/faults and tests/scale: one seeded cluster per run serves both.
pytest_plugins = ["tests.stacks"]

from tests.factories import DepartmentFactory, JurisdictionFactory, ServiceTypeFactory, TeamFactory, UserFactory

_reported = 0  # tests that reported a result; a count, as parametrized items may share one node id


def pytest_runtest_logreport(report):
    # Under xdist the main process receives every worker's reports here too. One per test: its call, or the
    # setup that failed or skipped it.
    global _reported
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _reported += 1


def pytest_sessionfinish(session):
    """A test that reported no result (a worker lost it, or it ended its process) fails the run, never passes it."""
    if hasattr(session.config, "workerinput") or session.config.option.collectonly or session.exitstatus != 0:
        return
    missing = session.testscollected - _reported
    if missing > 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(f"{missing} of {session.testscollected} collected tests reported no result", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def jurisdiction(db):
    return JurisdictionFactory(slug="sf.example", name="San Francisco")


@pytest.fixture
def department(jurisdiction):
    return DepartmentFactory(jurisdiction=jurisdiction, code="public-works", name="Public Works")


@pytest.fixture
def other_department(jurisdiction):
    return DepartmentFactory(jurisdiction=jurisdiction, code="transport", name="Transport")


@pytest.fixture
def team(department):
    return TeamFactory(department=department, code="streets", name="Streets")


@pytest.fixture
def staff(team):
    user = UserFactory(username="staff")
    team.members.add(user)
    return user


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_superuser=True)


@pytest.fixture
def pothole(jurisdiction):
    return ServiceTypeFactory(jurisdiction=jurisdiction, code="pothole", name="Pothole")


@pytest.fixture
def photo_folders(settings, tmp_path):
    """Public copies (MEDIA_ROOT) and originals (PRIVATE_MEDIA_ROOT) in folders of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


def pytest_collection_modifyitems(items):
    """Items that share a node id (Schemathesis makes one per API operation under the test's own id) get ids of
    their own, so that pytest-xdist, which schedules by id, runs each of them and not only the first."""
    seen: dict[str, int] = {}
    for item in items:
        seen[item.nodeid] = seen.get(item.nodeid, 0) + 1
    numbers: dict[str, int] = {}
    for item in items:
        if seen[item.nodeid] > 1:
            base = item.nodeid
            numbers[base] = numbers.get(base, 0) + 1
            item._id = f"{base}[{numbers[base]}]"


@pytest.fixture(autouse=True)
def _no_work_left_deferred_by_an_unclosed_response():
    """Django's test client sends request_finished only when a streamed response is closed, which a test that reads
    part of one never does; the work it deferred (config/after_response.py) would then swallow this thread's
    publishes for the tests after it. gunicorn always closes the response."""
    from config.after_response import run_deferred

    run_deferred()
    yield
