"""Rule-set lifecycle: drafts copied from the active version, their text model stored, then activated."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import config_cache
from requests_app.models import Jurisdiction

from . import classifier
from .models import RoutingModel, RoutingRule, RuleSet, TextClassifier


class RuleSetNotDraft(Exception):
    pass


@transaction.atomic
def activate_rule_set(rule_set: RuleSet) -> RuleSet:
    """Make a draft the jurisdiction's active rule set; the previous active one is retired.

    Raises RuleSetNotDraft for a rule set that is not a draft.
    """
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.state != RuleSet.State.DRAFT:
        raise RuleSetNotDraft(rule_set.pk)
    now = timezone.now()
    RuleSet.objects.filter(jurisdiction_id=rule_set.jurisdiction_id, state=RuleSet.State.ACTIVE).update(
        state=RuleSet.State.RETIRED, updated_at=now
    )
    rule_set.state, rule_set.activated_at, rule_set.updated_at = RuleSet.State.ACTIVE, now, now
    rule_set.save(update_fields=["state", "activated_at", "updated_at"])
    # Rules and the types, departments and teams an import brought go live together.
    rule_set.new_service_types.update(active=True)
    rule_set.new_departments.update(active=True)
    rule_set.new_teams.update(active=True)
    config_cache.bump()  # the types' update() sends no post_save
    return rule_set


def next_rule_set_version(jurisdiction: Jurisdiction) -> int:
    last = RuleSet.objects.filter(jurisdiction=jurisdiction).order_by("-version").values_list("version", flat=True)
    return (last.first() or 0) + 1


@transaction.atomic
def save_classifier(
    jurisdiction: Jurisdiction, examples: list[tuple[str, str]], *, rule_set: RuleSet | None = None
) -> TextClassifier:
    """Train a text classifier on (text, service type code) pairs and store it with the rule set it belongs to.

    Raises RuleSetNotDraft for a rule set already active or retired: its model changes only with a new draft.
    """
    if rule_set is not None:
        rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        if rule_set.state != RuleSet.State.DRAFT:
            raise RuleSetNotDraft(rule_set.pk)
    model = classifier.train(examples)
    found, _created = TextClassifier.objects.update_or_create(
        jurisdiction=jurisdiction,
        rule_set=rule_set,
        defaults={"model": model, "rows": sum(model["docs"].values()), "trained_at": timezone.now()},
    )
    return found


@transaction.atomic
def copy_rule_set(rule_set: RuleSet) -> RuleSet:
    """A new draft with the same rules, to edit and evaluate before it replaces the active one."""
    draft = RuleSet.objects.create(
        jurisdiction_id=rule_set.jurisdiction_id,
        version=next_rule_set_version(rule_set.jurisdiction),
        note=_("Copy of version %(version)s") % {"version": rule_set.version},
    )
    rules = list(rule_set.rules.all())
    for rule in rules:
        rule.pk, rule.rule_set = None, draft
    RoutingRule.objects.bulk_create(rules)
    model = TextClassifier.objects.filter(rule_set=rule_set).first()
    if model is not None:
        model.pk, model.rule_set, model.trained_at = None, draft, timezone.now()
        model.save()
    routing_model = RoutingModel.objects.filter(rule_set=rule_set).first()
    if routing_model is not None:
        routing_model.pk, routing_model.rule_set, routing_model.trained_at = None, draft, timezone.now()
        routing_model.save()
    return draft
