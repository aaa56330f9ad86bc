import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from open311.services import create_api_key
from requests_app.models import Question, ServiceType
from tests.factories import QuestionFactory, ServiceTypeFactory

# The Open311 community's JSON Schemas, copied into tests/open311/schemas (see the README there).
SCHEMAS = Path(__file__).parent / "schemas"
_REGISTRY = Registry().with_resources(
    (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7))
    for path in SCHEMAS.glob("*.json")
)


def assert_matches_schema(payload, schema_name: str) -> None:
    validator = Draft7Validator(
        json.loads((SCHEMAS / schema_name).read_text()),
        registry=_REGISTRY,
        format_checker=Draft7Validator.FORMAT_CHECKER,
    )
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(payload)]
    assert not errors, errors


def parse_xml(response) -> ElementTree.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.getvalue()  # a streamed answer too
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(body)


def parse_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.getvalue().decode("utf-8"))


def errors_of(response) -> list[dict]:
    if response["Content-Type"].startswith("text/xml"):
        root = parse_xml(response)
        assert root.tag == "errors"
        return [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root]
    return parse_json(response)


@pytest.fixture
def api_key(jurisdiction):
    # FixMyStreet-style: files requests and posts status updates.
    return create_api_key(application="Test client", jurisdiction=jurisdiction, scopes=["read", "file", "update"])[1]


@pytest.fixture
def streetlight(jurisdiction):
    st = ServiceTypeFactory(
        jurisdiction=jurisdiction,
        code="streetlight",
        name="Streetlight out",
        keywords=["light", "night"],
        group="Streets",
    )
    QuestionFactory(
        service_type=st,
        code="pole",
        datatype=Question.Datatype.STRING,
        required=True,
        order=1,
        description="Pole number",
    )
    QuestionFactory(
        service_type=st,
        code="colours",
        datatype=Question.Datatype.MULTIVALUELIST,
        order=2,
        description="Which colours",
        values=[{"key": "red", "name": "Red"}, {"key": "amber", "name": "Amber"}, {"key": "green", "name": "Green"}],
    )
    QuestionFactory(
        service_type=st,
        code="hazard",
        datatype=Question.Datatype.SINGLEVALUELIST,
        order=3,
        description="Is it a hazard?",
        values=[{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
    )
    return st


@pytest.fixture
def bulky(jurisdiction):
    return ServiceTypeFactory(
        jurisdiction=jurisdiction, code="bulky", name="Bulky item pickup", delivery=ServiceType.Delivery.BATCH
    )
