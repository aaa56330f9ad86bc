import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from requests_app.models import Question
from tests.factories import QuestionFactory, ServiceTypeFactory


@pytest.fixture
def streetlight(jurisdiction):
    """A service type that asks one question of each Open311 datatype."""
    st = ServiceTypeFactory(
        jurisdiction=jurisdiction,
        code="streetlight",
        name="Streetlight out",
        description="A street lamp that is dark or blinking",
        group="Streets",
        name_translations={"zh-hans": "路灯故障"},
        group_translations={"zh-hans": "道路"},
    )
    QuestionFactory(
        service_type=st,
        code="pole",
        datatype=Question.Datatype.STRING,
        description="Pole number",
        required=True,
        order=1,
    )
    QuestionFactory(
        service_type=st, code="lamps", datatype=Question.Datatype.NUMBER, description="How many lamps?", order=2
    )
    QuestionFactory(
        service_type=st, code="since", datatype=Question.Datatype.DATETIME, description="Dark since when?", order=3
    )
    QuestionFactory(
        service_type=st, code="notes", datatype=Question.Datatype.TEXT, description="Anything else?", order=4
    )
    QuestionFactory(
        service_type=st,
        code="state",
        datatype=Question.Datatype.SINGLEVALUELIST,
        description="What does it do?",
        required=True,
        order=5,
        values=[{"key": "dark", "name": "Dark"}, {"key": "blinking", "name": "Blinking"}],
    )
    QuestionFactory(
        service_type=st,
        code="near",
        datatype=Question.Datatype.MULTIVALUELIST,
        description="What is near it?",
        order=6,
        values=[{"key": "school", "name": "A school"}, {"key": "crossing", "name": "A crossing"}],
    )
    QuestionFactory(
        service_type=st,
        code="info",
        datatype=Question.Datatype.STRING,
        variable=False,
        description="Lamps are repaired within a week.",
        order=7,
    )
    return st


def jpeg(size=(64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, format="JPEG")
    return SimpleUploadedFile("IMG_0001 home of Jane.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def answers():
    return {
        "q_pole": "SL-1234",
        "q_lamps": "2",
        "q_since": "2026-11-20T21:30",
        "q_notes": "Near the bus stop",
        "q_state": "blinking",
        "q_near": ["school", "crossing"],
    }
