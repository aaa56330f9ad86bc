"""Who may see a request's contact: the staff roles of staffing.access, scoped to the request."""

from requests_app.models import ServiceRequest
from staffing.access import scope_for


def is_operator(user) -> bool:
    return bool(user and user.is_active and user.is_superuser)


def may_see_contact(user, service_request) -> bool:
    """Staff and team leads of the request's department, its department managers, and operators of its city.

    Never another department's staff nor another city's. The roles are read by staffing.access, the one place
    that defines them, so this rule and the staff screens can't drift apart.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    return scope_for(user).works_on(service_request)


def may_call_as_crew(user, service_request) -> bool:
    """A crew member assigned the request, crewing for its department, when that department lets its crews call.

    The requester's consent to a crew call is checked where the number is read (contacts.selectors).
    """
    if not (user and user.is_authenticated and user.is_active) or service_request.department_id is None:
        return False
    return (
        scope_for(user).crews_on(service_request)
        and ServiceRequest.objects.filter(pk=service_request.pk, department__crew_may_call=True).exists()
    )
