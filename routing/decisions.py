"""Choosing where a request goes, without writing anything: the router and the evaluator both decide here.

Rules written by people decide first; a rule set's learned routing model fills in where they leave room.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from requests_app.models import ServiceRequest, ServiceType
from requests_app.statuses import RoutingState

from . import classifier, dispatch_model, engine
from .config import Context, LearnedRouting
from .hours import is_open
from .models import Area, Department, RoutingRule, Team


@dataclass
class Outcome:
    """The engine's choice for one request, before anything is written."""

    state: str
    department: Department
    team: Team | None
    rule: RoutingRule | None
    routed_type: ServiceType
    reason: str
    areas: list[Area]
    inputs: engine.Inputs
    suggestion: tuple[str, float] | None = None
    suggested_type: ServiceType | None = None
    learned: dict | None = None  # what the routing model saw and how sure it was, when it decided


def decide(
    sr: ServiceRequest,
    ctx: Context,
    *,
    areas: list[Area],
    now=None,
    rule_filter=None,
    decides: dict | None = None,
    use_model: bool = True,
) -> Outcome:
    """Choose a department and team for a request without writing anything (used by the router and the evaluator).

    Rules written by people decide first. Where only learned rules (or none) match, the rule set's routing
    model decides the targets it won on validation, and fills in where no learned rule matches at all.
    The evaluator narrows this: ``rule_filter`` keeps some rules, ``decides`` overrides the stored choice of
    method per target, ``use_model=False`` leaves the model out.
    """
    jurisdiction, routing_settings = ctx.jurisdiction, ctx.routing_settings
    now = now or timezone.now()
    local = now.astimezone(ZoneInfo(jurisdiction.timezone))
    routed_type = sr.service_type
    suggestion, suggested_type, triage_reason = None, None, ""

    # The text model only fills in what the resident left open: a catch-all type is sorted by its words, a
    # chosen type is never outvoted (a "missing manhole cover" filed as Street Defects stays Street Defects).
    # For a chosen type the suggestion is still kept on the decision, for staff to see.
    predictions = classifier.predict(ctx.model, sr.description) if ctx.model and sr.description else []
    if predictions:
        suggestion = predictions[0]
        suggested_type = ctx.service_type(suggestion[0])
    if sr.service_type.code in routing_settings.general_type_codes:
        if suggested_type and suggestion[1] >= routing_settings.classifier_threshold:
            routed_type = suggested_type
        else:
            triage_reason = _("The description does not say clearly enough what kind of problem this is.")

    inputs = engine.Inputs(
        service_type_id=routed_type.pk,
        service_group=routed_type.group,
        area_ids={a.pk for a in areas},
        layer_ids={a.layer_id for a in areas},
        answers=sr.answers or {},
        description=sr.description,
        local_hour=local.hour,
        in_business_hours=is_open(
            routing_settings.business_hours, now, jurisdiction.timezone, closed_days=ctx.calendars.closed_days
        ),
        priority=sr.priority,
    )
    rule = None
    if not triage_reason:
        if sr.location is not None and not areas and ctx.has_layers:
            triage_reason = _("The location lies outside every area we know.")
        elif ctx.rule_set is None:
            triage_reason = _("No routing rules are active yet.")
        else:
            rule = ctx.rule_index.first_match(inputs, rule_filter)
            if use_model and ctx.learned and (rule is None or rule.learned or rule.is_unconditional):
                decides = ctx.learned.decides if decides is None else decides
                by_target = {
                    target: _learned_rule(ctx.rule_index, rule_filter, rule, method, inputs)
                    for target, method in decides.items()
                }
                signals = dispatch_model.Signals(
                    service_type=routed_type.name,
                    area_ids=[a.pk for a in areas],
                    text=sr.description,
                    answers=sr.answers or {},
                    opened=local,
                )
                chosen = _learned_choice(ctx.learned, signals, by_target, decides, areas)
                if chosen is not None:
                    department, team, learned = chosen
                    return Outcome(
                        state=RoutingState.ROUTED,
                        department=department,
                        team=team,
                        rule=None,
                        reason=learned.pop("reason"),
                        learned=learned,
                        routed_type=routed_type,
                        areas=areas,
                        inputs=inputs,
                        suggestion=suggestion,
                        suggested_type=suggested_type,
                    )
                rule = by_target.get("queue", rule)
            if rule is None:
                triage_reason = _("No routing rule covers this request.")
    common = {
        "routed_type": routed_type,
        "areas": areas,
        "inputs": inputs,
        "suggestion": suggestion,
        "suggested_type": suggested_type,
    }
    if rule is None:
        return Outcome(
            state=RoutingState.TRIAGE,
            department=routing_settings.triage_department,
            team=routing_settings.triage_team,
            rule=None,
            reason=triage_reason,
            **common,
        )
    return Outcome(
        state=RoutingState.ROUTED,
        department=rule.department,
        team=rule.team,
        rule=rule,
        reason=_("Rule %(rule)s matched.") % {"rule": rule},
        **common,
    )


def type_only(rule: RoutingRule) -> bool:
    """The baseline: rules that look at nothing but the service type (and the fallback)."""
    return not (rule.area_id or rule.area_layer_id or rule.words or rule.answer_code)


def type_and_area(rule: RoutingRule) -> bool:
    """The second baseline: the most common queue for the type in each area (no words, no answers)."""
    return not (rule.words or rule.answer_code)


# Which learned rules each rule method may use (the model is a method of its own).
LEARNED_RULES = {"type": type_only, "type_area": type_and_area}


def _learned_rule(index: engine.RuleIndex, rule_filter, rule: RoutingRule | None, method: str, inputs):
    """The rule a target's method picks: the first match among the learned rules that method may use."""
    keep = LEARNED_RULES.get(method)
    if keep is None or rule is None or not rule.learned:
        return rule
    return index.first_match(inputs, lambda r: (rule_filter is None or rule_filter(r)) and (not r.learned or keep(r)))


def _open(rule: RoutingRule | None) -> bool:
    return rule is None or rule.is_unconditional


def _learned_choice(learned: LearnedRouting, signals, by_target: dict, decides: dict, areas: list[Area]):
    """(department, team, explanation) where the model decides a target, else None (the rules stand).

    The model decides the targets it won on validation and those no learned rule covers. Its department is
    the one its teams add up to most; the team is its likeliest within the department, unless rules decide
    the queue and their team belongs to that department.
    """
    by_model = {t: decides.get(t) == "model" or _open(by_target.get(t)) for t in ("department", "queue")}
    # A type the model never saw (made after it learned) is left to the rules and to triage, not to guesses.
    if not any(by_model.values()) or not learned.model.knows_type(signals.service_type):
        return None
    likely = [(learned.teams[t], p) for t, p in learned.model.probabilities(signals) if t in learned.teams]
    if not likely:
        return None
    if by_model["department"]:
        totals: dict[int, float] = {}
        for team, p in likely:
            totals[team.department_id] = totals.get(team.department_id, 0.0) + p
        best = max(totals, key=totals.get)
        department = next(team.department for team, _p in likely if team.department_id == best)
    else:
        department = by_target["department"].department
    rule_team = None if by_model["queue"] else by_target["queue"].team
    if rule_team is not None and rule_team.department_id == department.pk:
        team, probability = rule_team, {t.pk: p for t, p in likely}.get(rule_team.pk, 0.0)
    else:
        team, probability = next(((t, p) for t, p in likely if t.department_id == department.pk), (None, 0.0))
    said = [_signal_label(token, areas) for token in learned.model.explain(signals, team.pk)] if team else []
    reason = _("The learned routing model chose %(team)s with probability %(p).2f, from: %(signals)s.") % {
        "team": team or department,
        "p": probability,
        "signals": ", ".join(dict.fromkeys(said)) or _("the type"),
    }
    return (
        department,
        team,
        {
            "reason": reason,
            "probability": round(probability, 4),
            "signals": said,
            "decided": [t for t, yes in by_model.items() if yes],
        },
    )


def _signal_label(token: str, areas: list[Area]) -> str:
    """A model feature in a dispatcher's words: the type, an area by name, an answer, the time, or words."""
    names = {str(a.pk): a.name for a in areas}
    last = token.rsplit("|", 1)[-1]
    kind, _sep, value = last.partition("=")
    if kind == "area":
        return _("area %(name)s") % {"name": names.get(value, value)}
    if kind == "type":
        return _("the type")
    if kind == "answer":
        return _("the answer %(answer)s") % {"answer": value}
    if kind in ("hour", "weekday"):
        return _("the time of day and week")
    return _("the words «%(text)s»") % {"text": token.strip()}


def reason_area(areas: list[Area], rule: RoutingRule | None) -> Area | None:
    if rule and rule.area_id:
        return rule.area
    if rule and rule.area_layer_id:
        return next((a for a in areas if a.layer_id == rule.area_layer_id), None)
    return areas[0] if areas else None


def department_for_type(service_type: ServiceType | None, ctx: Context, inputs: engine.Inputs):
    if service_type is None or ctx.rule_set is None:
        return None
    probe = engine.Inputs(
        **{**inputs.__dict__, "service_type_id": service_type.pk, "service_group": service_type.group}
    )
    rule = ctx.rule_index.first_match(probe)
    return rule.department if rule else None
