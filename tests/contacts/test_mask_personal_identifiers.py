import pytest

from contacts.masking import MASK, mask_personal_identifiers

DEPARTMENT_PHONE = frozenset({"4155550100"})


@pytest.mark.parametrize("text", [
    "Call me on 415-555-0123 after six",
    "my number is (415) 555 0123",
    "text +1 415 555 0123",
    "write to jane.doe+311@example.org please",
])
def test_a_residents_email_or_phone_is_masked(text):
    masked = mask_personal_identifiers(text, public_numbers=DEPARTMENT_PHONE)
    assert MASK in masked and "0123" not in masked and "@example.org" not in masked


@pytest.mark.parametrize("text", [
    "Crew sent. Questions? Call Public Works at 415-555-0100.",   # the department's own public number
    "Closed under work order #4417852.",                           # a work-order number, not a person
    "Scheduled for 2026-12-03, crew of 3.",                        # a date
    "Pothole 40 cm wide at 1200 Market St.",                       # measurements and an address
])
def test_what_staff_notes_legitimately_contain_is_kept(text):
    assert mask_personal_identifiers(text, public_numbers=DEPARTMENT_PHONE) == text
