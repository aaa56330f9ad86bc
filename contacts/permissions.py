"""Who may see a request's contact: the staff roles of staffing.access, scoped to the request."""
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
