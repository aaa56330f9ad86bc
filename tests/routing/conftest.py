import pytest
from django.contrib.gis.geos import Point

from routing.config import ensure_routing_settings
from routing.models import RoutingRule, RuleSet
from routing.rulesets import activate_rule_set
from tests.factories import AreaFactory, AreaLayerFactory, square

HERE = Point(-122.4194, 37.7749, srid=4326)  # inside "downtown"
SOUTH = Point(-122.4194, 37.7249, srid=4326)  # inside "south"
AT_SEA = Point(-123.5, 37.5, srid=4326)  # outside every area


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


# A small history export: the usual queue for potholes is "Streets", except in East; text decides nothing here.
HEADER = "id,kind,lat,lon,queue,opened,note,kind\n"
OLD = (
    [f"{i},Pothole,37.75,-122.48,Streets,2019-01-0{1 + i % 5} 10:00:00,deep hole,x\n" for i in range(6)]
    + [f"{10 + i},Pothole,37.75,-122.42,East crew,2019-01-0{1 + i % 5} 10:00:00,deep hole,x\n" for i in range(4)]
    + [f"{20 + i},Graffiti,37.75,-122.48,Cleaning,2019-01-03 10:00:00,paint tag,x\n" for i in range(5)]
    + ["30,Pothole,0,0,Streets,2019-01-04 10:00:00,hole,x\n"]
)
NEW = [
    "40,Pothole,37.76,-122.47,Streets,2019-03-01 10:00:00,hole,x\n",
    "41,Pothole,37.76,-122.41,East crew,2019-03-01 10:00:00,hole,x\n",
    "42,Graffiti,37.76,-122.47,Streets,2019-03-02 10:00:00,tag,x\n",
    "43,Brand new type,37.76,-122.47,Streets,2019-03-02 10:00:00,?,x\n",
    "44,Pothole,,,Streets,2019-03-02 10:00:00,hole,x\n",
]


@pytest.fixture
def history(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "".join(OLD + NEW))
    return str(path)
