"""Departments and teams an import made stay inactive until an operator activates them with the rule set: no
staff or public page offers them, and no request is sent to one."""

import pytest
from django.urls import reverse

from frontend.public.selectors import map_filter_choices
from staffing.models import StaffRole
from tests.factories import DepartmentFactory, TeamFactory
from tests.staff.conftest import sign_in, with_role

QUEUE = reverse("staff:queue")


@pytest.fixture
def imported(jurisdiction):
    """A department and a team an import brought in, not yet activated."""
    return DepartmentFactory(jurisdiction=jurisdiction, code="imported", name="Imported Dept", active=False)


@pytest.fixture
def imported_team(department):
    return TeamFactory(department=department, code="imported-team", name="Imported Team", active=False)


def options(field) -> set[str]:
    return {str(label) for _value, label in field.field.choices if _value != ""}


def test_the_queue_filters_offer_only_active_departments_and_teams(
    client, jurisdiction, department, team, imported, imported_team
):
    operator = with_role("op", StaffRole.Role.OPERATOR, jurisdiction)
    TeamFactory(department=imported, code="under-imported", name="Team of Imported")
    form = sign_in(client, operator).get(QUEUE).context["form"]
    assert "Public Works" in options(form["department"]) and "Imported Dept" not in options(form["department"])
    assert options(form["team"]) == {"Streets"}
    # Nor may a hand-made link filter by one (a form error, not a 500); the map data uses the same form.
    assert client.get(QUEUE, {"department": imported.pk}).status_code == 400
    assert client.get(reverse("staff:map_data"), {"team": imported_team.pk}).status_code == 400


def test_the_request_page_offers_only_active_departments_and_teams(
    client, staff, make_request, imported, imported_team, other_department
):
    sr = make_request()
    context = sign_in(client, staff).get(reverse("staff:request", args=[sr.public_id])).context
    for form in ("transfer_form", "type_form"):
        assert "Transport" in options(context[form]["department"])
        assert "Imported Dept" not in options(context[form]["department"])
    assert "Imported Team" not in options(context["assign_form"]["team"])
    assert "Streets" in options(context["assign_form"]["team"])
    # A transfer posted to an inactive department is refused; the request stays.
    client.post(
        reverse("staff:act", args=[sr.public_id, "transfer"]), {"department": imported.pk, "reason": "Not ours"}
    )
    sr.refresh_from_db()
    assert sr.department.code == "public-works"


def test_bulk_transfer_offers_and_accepts_only_active_departments(client, lead, make_request, imported):
    sr = make_request()
    bulk_form = sign_in(client, lead).get(QUEUE).context["bulk_form"]
    assert "Imported Dept" not in options(bulk_form["department"])
    assert "Public Works" in options(bulk_form["department"])
    response = client.post(
        reverse("staff:bulk"),
        {"selected": [sr.public_id], "action": "transfer", "department": imported.pk, "reason": "Not ours"},
        follow=True,
    )
    sr.refresh_from_db()
    assert sr.department.code == "public-works"
    assert response.status_code == 200


def test_the_public_map_filters_list_only_active_departments(jurisdiction, department, imported):
    names = [name for _code, name in map_filter_choices(jurisdiction)["departments"]]
    assert "Public Works" in names and "Imported Dept" not in names
