"""Who may see and do what in the staff queue.

A user's scope is read once per HTTP request: the departments they work in (as team staff, team lead or
department manager) and the jurisdictions they run (as operator). Everything outside their jurisdictions is
invisible (404); another department's requests of their jurisdiction can be read without internal notes and
acted on only by transferring them.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from requests_app.models import Jurisdiction
from routing.models import Department, Team

from .models import StaffRole


class Role:
    STAFF = "staff"
    LEAD = "lead"
    MANAGER = "manager"
    OPERATOR = "operator"
    CREW = "crew"


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    team_ids: frozenset[int] = frozenset()  # teams the user is staff of
    led_department_ids: frozenset[int] = frozenset()  # departments of the teams the user leads
    managed_department_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()  # where the user works, by any role below operator
    operator_jurisdiction_ids: frozenset[int] = frozenset()
    jurisdiction_ids: frozenset[int] = frozenset()  # everything the user may see at all
    visible_department_ids: frozenset[int] = frozenset()  # own, plus every one of the operated jurisdictions
    # Field crews are kept out of the queue: they see, in crew mode, only the work assigned to them.
    crew_department_ids: frozenset[int] = frozenset()

    @property
    def is_staff(self) -> bool:
        return bool(self.jurisdiction_ids)

    @property
    def is_crew(self) -> bool:
        return bool(self.crew_department_ids)

    def crews_on(self, sr) -> bool:
        """May act on site: the request is assigned to this crew member, in a department they crew for."""
        return (
            sr.assignee_id == self.user_id
            and sr.department_id is not None
            and sr.department_id in self.crew_department_ids
        )

    def works_on(self, sr) -> bool:
        """May act on this request: it is in one of the user's departments, or the user operates its city."""
        return sr.jurisdiction_id in self.operator_jurisdiction_ids or (
            sr.department_id is not None and sr.department_id in self.department_ids
        )

    def leads(self, sr) -> bool:
        """May assign others and act in bulk: a team lead or manager of its department, or an operator."""
        return sr.jurisdiction_id in self.operator_jurisdiction_ids or (
            sr.department_id is not None and sr.department_id in (self.led_department_ids | self.managed_department_ids)
        )

    def sees_internal(self, *department_ids) -> bool:
        """May read an internal note that belongs to any of these departments."""
        return any(d is not None and d in self.visible_department_ids for d in department_ids)

    def require_staff(self):
        if not self.is_staff:
            raise PermissionDenied

    def require_work(self, sr):
        if not self.works_on(sr):
            raise PermissionDenied

    def require_lead(self, sr):
        if not self.leads(sr):
            raise PermissionDenied


def scope_for(user) -> Scope:
    """Read a signed-in user's roles (three queries, one or two more for an operator); anonymous users get none."""
    if not user.is_authenticated:
        return Scope(user_id=None)
    member = list(
        Team.members.through.objects.filter(user_id=user.pk).values_list(
            "team_id", "team__department_id", "team__department__jurisdiction_id"
        )
    )
    led = list(
        Team.leads.through.objects.filter(user_id=user.pk).values_list(
            "team_id", "team__department_id", "team__department__jurisdiction_id"
        )
    )
    roles = list(StaffRole.objects.filter(user_id=user.pk).values_list("role", "jurisdiction_id", "department_id"))
    managed = {d for role, _j, d in roles if role == StaffRole.Role.MANAGER}
    crews = {d for role, _j, d in roles if role == StaffRole.Role.CREW}
    roles = [r for r in roles if r[0] != StaffRole.Role.CREW]
    operated = {j for role, j, _d in roles if role == StaffRole.Role.OPERATOR}
    if user.is_superuser:
        # The site's superusers (the demo's "operator" account) run every city, with two factors like operators.
        operated |= set(Jurisdiction.objects.values_list("pk", flat=True))
    departments = {d for _t, d, _j in member + led} | managed
    jurisdictions = {j for _t, _d, j in member + led} | {j for _r, j, _d in roles} | operated
    visible = set(departments)
    if operated:
        visible |= set(Department.objects.filter(jurisdiction_id__in=operated).values_list("pk", flat=True))
    return Scope(
        user_id=user.pk,
        team_ids=frozenset(t for t, _d, _j in member),
        led_department_ids=frozenset(d for _t, d, _j in led),
        managed_department_ids=frozenset(managed),
        department_ids=frozenset(departments),
        operator_jurisdiction_ids=frozenset(operated),
        jurisdiction_ids=frozenset(jurisdictions),
        visible_department_ids=frozenset(visible),
        crew_department_ids=frozenset(crews),
    )


def role_names(scope: Scope) -> list[str]:
    names = []
    if scope.team_ids:
        names.append(Role.STAFF)
    if scope.led_department_ids:
        names.append(Role.LEAD)
    if scope.managed_department_ids:
        names.append(Role.MANAGER)
    if scope.operator_jurisdiction_ids:
        names.append(Role.OPERATOR)
    if scope.crew_department_ids:
        names.append(Role.CREW)
    return names
