"""Who may see a request's contact. The staff-roles work extends this one rule."""
from routing.models import Team


def is_operator(user) -> bool:
    return bool(user and user.is_active and user.is_superuser)


def may_see_contact(user, service_request) -> bool:
    """Operators, and members of a team of the department the request is assigned to."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_operator(user):
        return True
    if service_request.department_id is None:
        return False
    return Team.objects.filter(department_id=service_request.department_id, members=user).exists()
