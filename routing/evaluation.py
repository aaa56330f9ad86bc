"""Replay cases through a rule set without saving anything, and say how often it picks the right queue."""

from collections import Counter
from dataclasses import dataclass, field

from requests_app.models import ServiceRequest
from requests_app.statuses import RoutingState

from . import classifier
from .areas import areas_covering
from .config import Context, classifier_model_for
from .decisions import decide
from .models import RuleSet

CHUNK = 1000


@dataclass
class Case:
    """One past request: what routing would see, and where it really went (names, as history exports give them)."""

    request: ServiceRequest  # unsaved is fine
    department: str
    queue: str


@dataclass
class Report:
    rows: int = 0
    department_hits: int = 0
    queue_hits: int = 0
    triage: int = 0
    confusions: Counter = field(default_factory=Counter)
    # (actual department, chosen department) → count, for precision and recall per department
    departments: Counter = field(default_factory=Counter)

    @property
    def department_accuracy(self) -> float:
        return self.department_hits / self.rows if self.rows else 0.0

    @property
    def queue_accuracy(self) -> float:
        return self.queue_hits / self.rows if self.rows else 0.0

    def per_department(self) -> list[dict]:
        """Precision (of what was sent there, how much belonged) and recall (of what belonged, how much arrived)."""
        sent, belonged, hits = Counter(), Counter(), Counter()
        for (actual, chosen), n in self.departments.items():
            sent[chosen] += n
            belonged[actual] += n
            if actual == chosen:
                hits[actual] += n
        return [
            {
                "department": name,
                "requests": belonged[name],
                "sent": sent[name],
                "precision": hits[name] / sent[name] if sent[name] else 0.0,
                "recall": hits[name] / belonged[name] if belonged[name] else 0.0,
            }
            for name in sorted(set(sent) | set(belonged), key=lambda d: (-belonged[d], d))
        ]

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "department_accuracy": round(self.department_accuracy, 4),
            "queue_accuracy": round(self.queue_accuracy, 4),
            "triage": self.triage,
        }

    def last_line(self) -> str:
        return (
            f"department_accuracy={self.department_accuracy:.3f} queue_accuracy={self.queue_accuracy:.3f} "
            f"rows={self.rows}"
        )


def evaluate(rule_set: RuleSet, cases, *, only=None, decides=None, use_model=True, progress=None) -> Report:
    """Route each case as the rule set would; ``only`` narrows the rules (e.g. to measure a baseline), ``decides``
    and ``use_model`` choose the method per target (see services.decide)."""
    ctx = Context.load(rule_set.jurisdiction, rule_set)
    report = Report()
    for start in range(0, len(cases), CHUNK):
        chunk = cases[start : start + CHUNK]
        for case, areas in zip(
            chunk, areas_covering(ctx.jurisdiction.pk, [c.request.location for c in chunk]), strict=False
        ):
            _score(
                report,
                case,
                decide(
                    case.request,
                    ctx,
                    areas=areas,
                    now=case.request.submitted_at,
                    rule_filter=only,
                    decides=decides,
                    use_model=use_model,
                ),
            )
            if progress:
                progress.advance()
    return report


def _score(report: Report, case: Case, outcome) -> None:
    report.rows += 1
    department = outcome.department.name
    queue = outcome.team.name if outcome.team else ""
    report.triage += outcome.state == RoutingState.TRIAGE
    report.department_hits += department == case.department
    report.queue_hits += queue == case.queue
    report.departments[(case.department, department)] += 1
    if queue != case.queue:
        report.confusions[(case.queue, queue)] += 1


def classifier_accuracy(rule_set: RuleSet, cases) -> tuple[float, int]:
    """How often the rule set's text model names the right type from the words alone, as it must for an
    untyped or catch-all request; with how many cases had words to judge."""
    model = classifier_model_for(rule_set.jurisdiction_id, rule_set)
    judged = hits = 0
    for case in cases:
        if not model or not case.request.description:
            continue
        predictions = classifier.predict(model, case.request.description)
        judged += 1
        hits += bool(predictions) and predictions[0][0] == case.request.service_type.code
    return (hits / judged if judged else 0.0), judged


def cases_from_history(rule_set: RuleSet, limit: int = 1000) -> list[Case]:
    """The jurisdiction's most recent routed requests, as cases for judging a draft before it is activated."""
    requests = (
        ServiceRequest.objects.filter(jurisdiction_id=rule_set.jurisdiction_id, department__isnull=False)
        .exclude(routing_state="pending")
        .select_related("service_type", "jurisdiction", "department", "team")
        .order_by("-submitted_at")[:limit]
    )
    return [Case(request=sr, department=sr.department.name, queue=sr.team.name if sr.team else "") for sr in requests]
