"""Who in a team gets a routed request: round robin or the least loaded member."""

from django.db.models import Count, Q

from requests_app.statuses import OPEN_STATUSES

from .models import RoutingDecision, Team


class Assigner:
    """Picks assignees for one batch; each team is locked and read once, then kept up to date in memory."""

    def __init__(self):
        self.members: dict[int, list] = {}
        self.next_index: dict[int, int] = {}
        self.loads: dict[int, dict[int, int]] = {}

    def pick(self, team: Team | None, strategy: str):
        if team is None or strategy == Team.Strategy.NONE:
            return None
        if team.pk not in self.members:
            # Lock the team so two routers at once do not both pick the same "next" member.
            Team.objects.select_for_update().filter(pk=team.pk).first()
            self.members[team.pk] = list(team.members.filter(is_active=True).order_by("id"))
        members = self.members[team.pk]
        if not members:
            return None
        if strategy == Team.Strategy.ROUND_ROBIN:
            if team.pk not in self.next_index:
                last = (
                    RoutingDecision.objects.filter(team=team, assignee__isnull=False)
                    .order_by("-created_at", "-id")
                    .values_list("assignee_id", flat=True)
                    .first()
                )
                ids = [m.pk for m in members]
                self.next_index[team.pk] = (ids.index(last) + 1) % len(ids) if last in ids else 0
            chosen = members[self.next_index[team.pk]]
            self.next_index[team.pk] = (self.next_index[team.pk] + 1) % len(members)
            return chosen
        if team.pk not in self.loads:
            self.loads[team.pk] = dict(
                team.members.filter(is_active=True)
                .annotate(
                    load=Count(
                        "assigned_requests",
                        filter=Q(assigned_requests__status__in=OPEN_STATUSES, assigned_requests__team=team),
                    )
                )
                .values_list("id", "load")
            )
        loads = self.loads[team.pk]
        chosen = min(members, key=lambda m: (loads.get(m.pk, 0), m.pk))
        loads[chosen.pk] = loads.get(chosen.pk, 0) + 1
        return chosen
