"""False positives, measured on the demo city's real 311 text (demo/data/sf311_sample.csv).

Masking must not eat what reports are made of: every address, descriptor, date, time, quantity and reference
number in 10,000 real San Francisco requests survives; only phone numbers and emails of people go.
"""

import csv
import re

import pytest

from demo import catalogue
from demo.loader import DATA_DIR
from masking import MASK
from requests_app.models import Jurisdiction
from requests_app.public_text import masking_for

ORDINARY = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b"  # dates and times
    r"|\b\d+(?:\.\d+)?\s?(?:ft|feet|in|inches|mph|MPH|PPM|ppm|watt|lbs|gallons|yards|days|hours|am|pm|AM|PM)\b"
    r"|#\s?\d+|\b\d{1,5}\s+(?:[A-Z][a-z]+|[A-Z]{2,})\s+(?:St|Street|Ave|AVE|ST|Avenue|Blvd|BLVD|Way|Dr|DR)\b"
)


@pytest.fixture(scope="module")
def rows():
    with open(DATA_DIR / "sf311_sample.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sf_masking():
    return masking_for(
        Jurisdiction(slug="sfgov.org", regions=catalogue.SF_REGIONS, published_contacts=catalogue.SF_PUBLISHED_CONTACTS)
    )


def test_every_address_and_descriptor_of_the_demo_city_is_kept_whole(rows, sf_masking):
    changed = [
        r[column]
        for r in rows
        for column in ("incident_address", "descriptor", "complaint_type")
        if sf_masking.text(r[column]) != r[column]
    ]
    assert changed == []


def test_dates_times_quantities_street_numbers_and_case_numbers_in_real_notes_survive(rows, sf_masking):
    checked, lost = 0, []
    for r in rows:
        note = r["status_notes"]
        masked = sf_masking.text(note)
        for token in ORDINARY.findall(note):
            checked += 1
            if token not in masked:
                lost.append((token, note))
    assert checked > 1000 and lost == []


def test_what_is_masked_in_real_notes_is_a_persons_phone_number_or_email(rows, sf_masking):
    masked_notes = [(r["status_notes"], sf_masking.text(r["status_notes"])) for r in rows]
    changed = [(note, masked) for note, masked in masked_notes if masked != note]
    # The city's published lines stay; what goes is the odd number of a person quoted in a note.
    assert len(changed) < 0.01 * len(rows)
    for note, masked in changed:
        removed = "".join(re.split(r"(?:" + "|".join(re.escape(p) for p in masked.split(MASK)) + ")", note))
        assert re.search(r"(?:\d\D{0,3}){7,}|@", removed), (note, masked)  # seven digits or more, or an email
