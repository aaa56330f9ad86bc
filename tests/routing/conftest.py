import pytest
from django.contrib.gis.geos import Point

from routing.models import RoutingRule, RuleSet
from routing.services import activate_rule_set, ensure_routing_settings
from tests.factories import AreaFactory, AreaLayerFactory, square

HERE = Point(-122.4194, 37.7749, srid=4326)          # inside "downtown"
SOUTH = Point(-122.4194, 37.7249, srid=4326)         # inside "south"
AT_SEA = Point(-123.5, 37.5, srid=4326)              # outside every area


@pytest.fixture
def layer(jurisdiction):
    return AreaLayerFactory(jurisdiction=jurisdiction, code="districts", name="Districts")


@pytest.fixture
def downtown(layer):
    return AreaFactory(layer=layer, code="downtown", name="Downtown", boundary=square(-122.45, 37.75, 0.05))


@pytest.fixture
def south(layer):
    return AreaFactory(layer=layer, code="south", name="South", boundary=square(-122.45, 37.70, 0.05))


@pytest.fixture
def routing_settings(jurisdiction):
    return ensure_routing_settings(jurisdiction)


@pytest.fixture
def make_rule_set(jurisdiction):
    def make(*rules: dict, active=True) -> RuleSet:
        version = RuleSet.objects.filter(jurisdiction=jurisdiction).count() + 1
        rule_set = RuleSet.objects.create(jurisdiction=jurisdiction, version=version)
        for order, fields in enumerate(rules, start=1):
            RoutingRule.objects.create(rule_set=rule_set, order=order, **fields)
        return activate_rule_set(rule_set) if active else rule_set
    return make
