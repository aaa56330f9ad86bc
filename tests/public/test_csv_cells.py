"""A public CSV never hands a spreadsheet a formula: cells starting with = + - @ tab or CR are neutralised."""

import csv
import io

import pytest

from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_description_that_starts_like_a_formula_is_neutralised_in_the_export(client, jurisdiction, pothole, start):
    ServiceRequestFactory(service_type=pothole, description=f"{start}1+cmd|' /C calc'!A0")
    body = b"".join(client.get(f"/open-data/{jurisdiction.slug}/requests.csv").streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(body, newline="")))
    assert row["description"] == f"'{start}1+cmd|' /C calc'!A0"


def test_ordinary_cells_are_written_as_they_are(client, jurisdiction, pothole):
    sr = ServiceRequestFactory(service_type=pothole, description="Deep hole, 40 cm")
    body = b"".join(client.get(f"/open-data/{jurisdiction.slug}/requests.csv").streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(body, newline="")))
    assert row["description"] == "Deep hole, 40 cm" and row["public_id"] == sr.public_id
