"""Who in a team gets a routed request: round robin or the least loaded member."""

from django.contrib.auth import get_user_model
from django.db import connection

from requests_app.statuses import OPEN_STATUSES

from .models import Team

# Raw SQL: the assigner runs for every routed request, and the ORM's compiling cost more worker CPU than the
# queries themselves. Members are ids: the decision and the request store only the assignee's id.
MEMBERS_SQL = """
SELECT u.id FROM routing_team t
LEFT JOIN {members} m ON m.team_id = t.id
LEFT JOIN {users} u ON u.id = m.user_id AND u.is_active
WHERE t.id = %s
ORDER BY u.id
FOR UPDATE OF t
"""

LAST_ASSIGNEE_SQL = """
SELECT assignee_id FROM routing_routingdecision
WHERE team_id = %s AND assignee_id IS NOT NULL
ORDER BY created_at DESC, id DESC
LIMIT 1
"""

LOADS_SQL = """
SELECT m.user_id, count(sr.id) FROM {members} m
LEFT JOIN requests_app_servicerequest sr
       ON sr.assignee_id = m.user_id AND sr.team_id = m.team_id AND sr.status = ANY(%s)
WHERE m.team_id = %s
GROUP BY m.user_id
"""


def _sql(template: str) -> str:
    return template.format(members=Team.members.through._meta.db_table, users=get_user_model()._meta.db_table)


class Assigner:
    """Picks assignees (user ids) for one batch; each team is locked and read once, then kept up to date in memory."""

    def __init__(self):
        self.members: dict[int, list[int]] = {}
        self.next_index: dict[int, int] = {}
        self.loads: dict[int, dict[int, int]] = {}

    def _rows(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def pick(self, team: Team | None, strategy: str) -> int | None:
        if team is None or strategy == Team.Strategy.NONE:
            return None
        if team.pk not in self.members:
            # The team row is locked so two routers at once do not both pick the same "next" member.
            rows = self._rows(_sql(MEMBERS_SQL), [team.pk])
            self.members[team.pk] = [user_id for (user_id,) in rows if user_id is not None]
        members = self.members[team.pk]
        if not members:
            return None
        if strategy == Team.Strategy.ROUND_ROBIN:
            if team.pk not in self.next_index:
                last = next(iter(self._rows(LAST_ASSIGNEE_SQL, [team.pk])), (None,))[0]
                self.next_index[team.pk] = (members.index(last) + 1) % len(members) if last in members else 0
            chosen = members[self.next_index[team.pk]]
            self.next_index[team.pk] = (self.next_index[team.pk] + 1) % len(members)
            return chosen
        if team.pk not in self.loads:
            self.loads[team.pk] = dict(self._rows(_sql(LOADS_SQL), [sorted(OPEN_STATUSES), team.pk]))
        loads = self.loads[team.pk]
        chosen = min(members, key=lambda m: (loads.get(m, 0), m))
        loads[chosen] = loads.get(chosen, 0) + 1
        return chosen
