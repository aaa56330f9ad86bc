import os

import pytest

# pytest-playwright runs an event loop in the test thread; Django refuses ORM calls there without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The stack fixtures are shared by tests/faults and tests/scale: one seeded cluster per run serves both.
pytest_plugins = ["tests.stacks"]

from tests.factories import DepartmentFactory, JurisdictionFactory, ServiceTypeFactory, TeamFactory, UserFactory


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Under pytest-xdist (scripts/test.sh runs --dist loadgroup), the tests on the stacks' session cluster run one
    after another in one process: the cluster is seeded once, and no two stacks of processes compete for the cores.
    First of the hooks: xdist reads the group into each test's id in its own hook, which must see the mark."""
    for item in items:
        if "seeded_cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("stacks"))


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
