"""Staff changes of type and department meet the routing engine: a new type is routed again by the routing task
after commit, an explicit transfer stays where staff put it, and the request page and queue show how routing
decided."""

import pytest
from django.urls import reverse

from requests_app.statuses import RoutingState
from routing.models import RoutingDecision
from routing.router import route_request
from routing.tasks import route_request_task
from staffing import services
from tests.staff.conftest import sign_in


@pytest.fixture
def routing_task_here(monkeypatch):
    """The routing task's body runs in this process when it is queued (a real worker: test_one_way_to_change.py)."""
    monkeypatch.setattr(route_request_task, "delay", lambda *args: route_request_task.run(*args))


def test_a_new_service_type_waits_for_routing_inside_the_action(
    staff, make_request, rules, graffiti, django_capture_on_commit_callbacks
):
    sr = make_request()
    route_request(sr.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        changed = services.change_service_type(sr, service_type=graffiti, by=staff)
    assert changed.routing_state == RoutingState.PENDING and len(callbacks) == 1
    entry = sr.status_changes.order_by("-id").first()
    assert entry.actor == staff and "Graffiti" in entry.internal_note


def test_a_new_service_type_is_routed_again_after_commit(
    staff,
    make_request,
    rules,
    graffiti,
    other_department,
    other_team,
    django_capture_on_commit_callbacks,
    routing_task_here,
):
    sr = make_request()
    route_request(sr.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_service_type(sr, service_type=graffiti, by=staff)
    sr.refresh_from_db()
    assert (sr.routing_state, sr.department, sr.team) == (RoutingState.ROUTED, other_department, other_team)
    decision = sr.routing_decisions.order_by("-created_at", "-id").first()
    assert decision.rule.name == "Graffiti" and "Graffiti" in decision.reason


def test_the_request_page_shows_the_new_department_and_reason_after_a_type_change(
    client, staff, make_request, rules, graffiti, django_capture_on_commit_callbacks, routing_task_here
):
    sr = make_request()
    route_request(sr.pk)
    sign_in(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:act", args=[sr.public_id, "service-type"]), {"service_type": graffiti.pk})
    html = client.get(response["Location"]).content.decode()
    assert '<dd id="department">Transport · Signals</dd>' in html
    reason = html[html.index('<dd id="routing-reason">') :]
    assert reason[: reason.index("</dd>")].endswith("Graffiti matched.")


def test_a_transfer_is_kept_as_the_routing_decision_and_routing_does_not_undo_it(
    staff, make_request, rules, other_department, django_capture_on_commit_callbacks
):
    sr = make_request()
    route_request(sr.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer(sr, to_department=other_department, reason="Traffic island, theirs", by=staff)
    route_request(sr.pk)
    sr.refresh_from_db()
    assert sr.department == other_department and sr.routing_state == RoutingState.ROUTED
    decision = sr.routing_decisions.order_by("-created_at", "-id").first()
    assert decision.rule is None and decision.department == other_department
    assert decision.inputs == {"staff_choice": True} and decision.reason == "Staff chose Transport."
    # The written reason stays in the department-scoped history, not in the decision every staff member reads.
    assert "Traffic island" not in decision.reason


def test_a_transfer_takes_a_request_out_of_triage(staff, make_request, other_department):
    sr = make_request(routing_state=RoutingState.TRIAGE)
    services.transfer(sr, to_department=other_department, reason="Ours to decide", by=staff)
    sr.refresh_from_db()
    assert sr.routing_state == RoutingState.ROUTED and RoutingDecision.objects.filter(service_request=sr).count() == 1


def test_a_type_change_with_a_chosen_department_keeps_that_department(
    staff, make_request, rules, graffiti, department, django_capture_on_commit_callbacks
):
    sr = make_request()
    route_request(sr.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.change_service_type(sr, service_type=graffiti, by=staff, department=department)
    sr.refresh_from_db()
    assert not callbacks and sr.department == department and sr.routing_state == RoutingState.ROUTED
    assert sr.routing_decisions.order_by("-created_at", "-id").first().reason == "Staff chose Public Works."


def test_the_request_page_explains_the_routing(client, staff, make_request, rules):
    sr = make_request()
    route_request(sr.pk)
    html = sign_in(client, staff).get(reverse("staff:request", args=[sr.public_id])).content.decode()
    section = html[html.index('id="routing"') : html.index("</section>", html.index('id="routing"'))]
    for text in [
        "Potholes downtown",
        "Downtown (districts)",
        "<dt>Rule set version</dt><dd>1</dd>",
        "<code>description_words</code>",
        "routing-reason",
    ]:
        assert text in section, text


def test_the_queue_filters_requests_in_triage(client, staff, make_request):
    waiting = make_request(routing_state=RoutingState.TRIAGE)
    routed = make_request(routing_state=RoutingState.ROUTED)
    rows = sign_in(client, staff).get(reverse("staff:queue"), {"triage": "on"}).context["page"].rows
    assert waiting in rows and routed not in rows
