"""Letting a department's crews call requesters who agreed: off until an operator turns it on in the admin, which
keeps who did it and when in the department's history."""

import json

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.staff.conftest import sign_in


def test_a_department_does_not_let_its_crews_call_until_told_to(department):
    assert department.crew_may_call is False


def test_an_operator_lets_a_departments_crews_call_in_the_admin_and_its_history_says_who(client, operator, department):
    get_user_model().objects.filter(pk=operator.pk).update(is_staff=True)
    url = reverse("admin:routing_department_change", args=[department.pk])
    page = sign_in(client, operator).get(url)
    form = page.context["adminform"].form
    data = {
        name: json.dumps(value) if isinstance(value, (dict, list)) else value
        for name in form.fields
        if (value := form[name].value()) not in (None, False)
    }
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form  # no teams yet: only the counts
        data.update({management.add_prefix(key): value for key, value in management.initial.items()})
    response = client.post(url, {**data, "crew_may_call": "on"})
    assert response.status_code == 302, getattr(response, "context", None) and response.context["errors"]
    department.refresh_from_db()
    assert department.crew_may_call is True
    entry = LogEntry.objects.get(object_id=str(department.pk))
    assert entry.user == operator and "crews may call requesters" in entry.get_change_message().lower()
