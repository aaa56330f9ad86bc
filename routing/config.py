"""What routing reads to decide: the settings, the active rule set and its rules, the text and routing models.

What rarely changes is read once per process and version; each routing checks the version in one query.
"""

import logging
from dataclasses import dataclass, field

from django.db import connection

from requests_app.models import Jurisdiction, ServiceType

from . import dispatch_model, engine
from .clocks import Calendars, SlaTable
from .models import (
    Area,
    Department,
    DuplicateWindow,
    RoutingModel,
    RoutingRule,
    RoutingSettings,
    RuleSet,
    Team,
    TextClassifier,
)

logger = logging.getLogger(__name__)

_rules_cache: dict[int, tuple[tuple, list[RoutingRule]]] = {}
_classifier_cache: dict[int, tuple[tuple, dict]] = {}


def rules_of(rule_set: RuleSet, config_version: int) -> list[RoutingRule]:
    """The rule set's rules in order, read again only once the configuration version moved (any rule written)."""
    key = (rule_set.pk, rule_set.version, config_version)
    cached = _rules_cache.get(rule_set.pk)
    if cached and cached[0] == key:
        return cached[1]
    rules = list(
        rule_set.rules.select_related("department", "team", "area", "area__layer", "service_type").order_by(
            "order", "id"
        )
    )
    _rules_cache[rule_set.pk] = (key, rules)
    return rules


def _classifier_row(jurisdiction_id: int, rule_set: RuleSet | None):
    """The rule set's own model; a jurisdiction's unversioned model (trained before versions) serves any."""
    rows = TextClassifier.objects.filter(jurisdiction_id=jurisdiction_id)
    own = rows.filter(rule_set=rule_set) if rule_set else rows.none()
    return (
        own.values("pk", "trained_at").first() or rows.filter(rule_set__isnull=True).values("pk", "trained_at").first()
    )


def classifier_model_for(jurisdiction_id: int, rule_set: RuleSet | None = None) -> dict | None:
    row = _classifier_row(jurisdiction_id, rule_set)
    if row is None:
        return None
    key = (row["pk"], row["trained_at"])
    cached = _classifier_cache.get(row["pk"])
    if cached and cached[0] == key:
        return cached[1]
    model = TextClassifier.objects.get(pk=row["pk"]).model
    _classifier_cache[row["pk"]] = (key, model)
    return model


@dataclass
class LearnedRouting:
    """A rule set's routing model, ready to use: the model, which targets it decides, and its teams by id."""

    model: dispatch_model.DispatchModel
    decides: dict
    teams: dict[int, Team]


_routing_model_cache: dict[int, tuple[tuple, LearnedRouting]] = {}


def learned_routing_for(rule_set: RuleSet | None) -> LearnedRouting | None:
    """The rule set's own routing model, unpickled once per process and model version (one small query else)."""
    if rule_set is None:
        return None
    row = RoutingModel.objects.filter(rule_set=rule_set).values("pk", "trained_at").first()
    if row is None:
        return None
    key = (row["pk"], row["trained_at"])
    cached = _routing_model_cache.get(rule_set.pk)
    if cached and cached[0] == key:
        return cached[1]
    stored = RoutingModel.objects.get(pk=row["pk"])
    model = dispatch_model.loads(stored.data)
    if model is None:
        logger.warning(
            "rule set %s has a routing model of an older format: routing by rules until it is learned again",
            rule_set.pk,
        )
        return None
    teams = Team.objects.select_related("department").in_bulk([int(c) for c in model.classifier.classes_])
    learned = LearnedRouting(model=model, decides=stored.decides, teams=teams)
    _routing_model_cache[rule_set.pk] = (key, learned)
    return learned


def ensure_routing_settings(jurisdiction: Jurisdiction) -> RoutingSettings:
    """The jurisdiction's routing settings, made with a "Triage" department the first time they are needed."""
    found = (
        RoutingSettings.objects.select_related("triage_department", "triage_team")
        .filter(jurisdiction=jurisdiction)
        .first()
    )
    if found:
        return found
    department, _created = Department.objects.get_or_create(
        jurisdiction=jurisdiction, code="triage", defaults={"name": "Triage", "name_translations": {"zh-hans": "分诊"}}
    )
    team, _created = Team.objects.get_or_create(
        department=department, code="triage", defaults={"name": "Triage", "name_translations": {"zh-hans": "分诊"}}
    )
    found, _created = RoutingSettings.objects.get_or_create(
        jurisdiction=jurisdiction, defaults={"triage_department": department, "triage_team": team}
    )
    return found


@dataclass
class Context:
    """What routing one jurisdiction's requests needs: read once per configuration version (context_for)."""

    jurisdiction: Jurisdiction
    routing_settings: RoutingSettings
    rule_set: RuleSet | None
    rules: list[RoutingRule]
    model: dict | None
    has_layers: bool
    calendars: Calendars
    learned: LearnedRouting | None = None
    sla: SlaTable | None = None
    duplicate_windows: dict[int, DuplicateWindow] = field(default_factory=dict)
    types_by_code: dict = field(default_factory=dict)
    areas: dict[int, Area] = field(default_factory=dict)  # the areas met so far, by id (names, layer)
    rule_index: engine.RuleIndex = field(init=False)

    def __post_init__(self):
        self.rule_index = engine.RuleIndex(self.rules)

    @classmethod
    def load(cls, jurisdiction: Jurisdiction, rule_set: RuleSet | None = None) -> "Context":
        """The jurisdiction's active rule set unless ``rule_set`` is given (a draft being evaluated)."""
        routing_settings = ensure_routing_settings(jurisdiction)
        rule_set = rule_set or RuleSet.objects.active().filter(jurisdiction=jurisdiction).first()
        return cls(
            jurisdiction=jurisdiction,
            routing_settings=routing_settings,
            rule_set=rule_set,
            rules=rules_of(rule_set, routing_settings.config_version) if rule_set else [],
            model=classifier_model_for(jurisdiction.pk, rule_set),
            has_layers=jurisdiction.area_layers.exists(),
            calendars=Calendars(routing_settings, jurisdiction),
            learned=learned_routing_for(rule_set),
            sla=SlaTable(jurisdiction.pk),
            duplicate_windows={
                w.service_type_id: w for w in DuplicateWindow.objects.filter(service_type__jurisdiction=jurisdiction)
            },
        )

    def service_type(self, code: str) -> ServiceType | None:
        if code not in self.types_by_code:
            self.types_by_code[code] = ServiceType.objects.filter(jurisdiction=self.jurisdiction, code=code).first()
        return self.types_by_code[code]


_contexts: dict[int, Context] = {}

VERSION_SQL = "SELECT config_version FROM routing_routingsettings WHERE jurisdiction_id = %s"


def context_for(jurisdiction: Jurisdiction) -> Context:
    """The jurisdiction's live routing context, kept per process and rebuilt only when its version was raised.

    One small query per batch instead of a dozen: the version goes up in the same transaction as any change to
    what routing reads (routing.rulesets.configuration_changed), so a batch never decides on stale rules.
    """
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL, [jurisdiction.pk])
        row = cursor.fetchone()
    cached = _contexts.get(jurisdiction.pk)
    if row is not None and cached is not None and cached.routing_settings.config_version == row[0]:
        return cached
    ctx = Context.load(jurisdiction)
    _contexts[jurisdiction.pk] = ctx
    return ctx
