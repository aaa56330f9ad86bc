"""The roles staff hold above a team, and the department each history entry belongs to. ``staffing.access`` reads
them, with the team memberships, into scopes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.Model):
    """A role above a team: manager of one department, or operator of a whole jurisdiction.

    Team staff and team leads come from ``routing.Team.members`` and ``routing.Team.leads``.
    """

    class Role(models.TextChoices):
        MANAGER = "manager", _("Department manager")
        OPERATOR = "operator", _("Operator")
        # Field crews see only the work assigned to them, in crew mode; never the queue or contact details.
        CREW = "crew", _("Field crew")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        "requests_app.Jurisdiction", on_delete=models.CASCADE, related_name="+", verbose_name=_("jurisdiction")
    )
    department = models.ForeignKey(
        "routing.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Required for a manager or a crew; empty for an operator"),
    )

    class Meta:
        # The table kept its name when the model moved here from the staff pages' app.
        db_table = "staff_staffrole"
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=["manager", "crew"], department__isnull=False)
                    | models.Q(role="operator", department__isnull=True)
                ),
                name="staffrole_department_matches_role",
            ),
            models.UniqueConstraint(fields=["user", "role", "jurisdiction", "department"], name="unique_staff_role"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class HistoryScope(models.Model):
    """Which department a history entry belongs to, and what kind of staff action it was.

    An internal note is seen by the department that wrote it and, for a transfer, by the receiving one.
    """

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        STATUS = "status", _("Status")
        ASSIGN = "assign", _("Assignment")
        PRIORITY = "priority", _("Priority")
        SERVICE_TYPE = "service_type", _("Service type")
        TRANSFER = "transfer", _("Transfer")
        MERGE = "merge", _("Merge")
        HOLD = "hold", _("Hold")
        PERMIT = "permit", _("Permit step")

    status_change = models.OneToOneField(
        "requests_app.StatusChange", on_delete=models.CASCADE, related_name="scope", verbose_name=_("history entry")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        "routing.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    to_department = models.ForeignKey(
        "routing.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred to"),
    )

    class Meta:
        # Moved here from the staff pages' app; its table keeps its name.
        db_table = "staff_historyscope"
        verbose_name = _("history scope")
        verbose_name_plural = _("history scopes")
        indexes = [models.Index(fields=["to_department", "kind"], name="historyscope_to_kind")]

    def __str__(self):
        return f"{self.kind} · {self.department_id}"
