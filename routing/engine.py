"""The rule matcher: plain data in, the first matching rule out. No database access here, so the
router, the draft evaluator, `routing_evaluate` and the benchmark all judge rules exactly the same way."""

import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .models import RoutingRule

WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Inputs:
    """What a rule may look at. Kept in the decision as the record of what was used."""

    service_type_id: int | None
    service_group: str = ""
    area_ids: set[int] = field(default_factory=set)
    layer_ids: set[int] = field(default_factory=set)
    answers: dict = field(default_factory=dict)
    description: str = ""
    local_hour: int = 12
    in_business_hours: bool = True
    priority: int = 2

    def as_record(self) -> dict:
        return {
            "service_type_id": self.service_type_id,
            "service_group": self.service_group,
            "area_ids": sorted(self.area_ids),
            "layer_ids": sorted(self.layer_ids),
            "answers": self.answers,
            "description_words": len(WORD.findall(self.description)),
            "local_hour": self.local_hour,
            "in_business_hours": self.in_business_hours,
            "priority": self.priority,
        }


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def stem(word: str) -> str:
    """A word's plain form, so that "potholes", "flooding" and "flooded" match a rule's "pothole" and "flood".

    Deliberately crude (a few English endings, then a final "e"): rule words are short nouns and verbs, and
    both sides go through the same steps, so "piled" and "pile" meet at "pil".
    """
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _words_match(words: list[str], description: str) -> bool:
    text = description.lower()
    present = {stem(w) for w in WORD.findall(text)}
    for word in words:
        word = word.lower().strip()
        if not word:
            continue
        # Chinese is written without spaces between words: a rule word is found anywhere in the running text.
        if " " in word or any(is_han(ch) for ch in word):
            if word in text:
                return True
        elif stem(word) in present:
            return True
    return False


def _answer_matches(answers: dict, code: str, value: str) -> bool:
    given = answers.get(code)
    if given is None:
        return False
    if not value:
        return given not in ("", [], None)
    if isinstance(given, list):
        return value in [str(v) for v in given]
    return str(given) == value


def _hour_matches(rule: RoutingRule, hour: int) -> bool:
    start = rule.hour_from if rule.hour_from is not None else 0
    end = rule.hour_to if rule.hour_to is not None else 24
    if start <= end:
        return start <= hour < end
    return hour >= start or hour < end  # spans midnight


def rule_matches(rule: RoutingRule, inputs: Inputs) -> bool:
    if rule.service_type_id and rule.service_type_id != inputs.service_type_id:
        return False
    if rule.service_group and rule.service_group.lower() != inputs.service_group.lower():
        return False
    if rule.area_id and rule.area_id not in inputs.area_ids:
        return False
    if rule.area_layer_id and rule.area_layer_id not in inputs.layer_ids:
        return False
    if rule.answer_code and not _answer_matches(inputs.answers, rule.answer_code, rule.answer_value):
        return False
    if rule.words and not _words_match(rule.words, inputs.description):
        return False
    if rule.hours == RoutingRule.Hours.INSIDE and not inputs.in_business_hours:
        return False
    if rule.hours == RoutingRule.Hours.OUTSIDE and inputs.in_business_hours:
        return False
    if (rule.hour_from is not None or rule.hour_to is not None) and not _hour_matches(rule, inputs.local_hour):
        return False
    if rule.min_priority and inputs.priority < rule.min_priority:
        return False
    return True


def first_match(rules: list[RoutingRule], inputs: Inputs) -> RoutingRule | None:
    """The first rule, in order, whose every condition holds."""
    for rule in rules:
        if rule_matches(rule, inputs):
            return rule
    return None


class RuleIndex:
    """Rules in order, ready to judge many requests: first_match looks only at the rules whose service type and
    area can hold for a request (most of a city's rules name one type or one area), with the same answer as
    first_match over the whole list."""

    def __init__(self, rules: list[RoutingRule]):
        self.rules = rules
        self.by_type_and_area: dict[tuple, list[int]] = {}
        for i, rule in enumerate(rules):
            self.by_type_and_area.setdefault((rule.service_type_id or None, rule.area_id or None), []).append(i)

    def first_match(self, inputs: Inputs, allow: Callable[[RoutingRule], bool] | None = None) -> RoutingRule | None:
        """The first rule, in order, that ``allow`` keeps (all when None) and whose every condition holds."""
        lists = [
            found
            for type_id in {None, inputs.service_type_id}
            for area_id in {None, *inputs.area_ids}
            if (found := self.by_type_and_area.get((type_id, area_id)))
        ]
        for i in heapq.merge(*lists):
            rule = self.rules[i]
            if (allow is None or allow(rule)) and rule_matches(rule, inputs):
                return rule
        return None


def _words_covered(earlier: list[str], later: list[str]) -> bool:
    if not earlier:
        return True
    return bool(later) and {w.lower() for w in later} <= {w.lower() for w in earlier}


def _covers(earlier: RoutingRule, later: RoutingRule) -> bool:
    """True when every request ``later`` matches is matched by ``earlier`` already (a safe approximation)."""

    def same_or_unset(a, b):
        return not a or a == b

    return (
        same_or_unset(earlier.service_type_id, later.service_type_id)
        and same_or_unset(earlier.service_group.lower(), later.service_group.lower())
        and same_or_unset(earlier.area_id, later.area_id)
        and same_or_unset(earlier.area_layer_id, later.area_layer_id)
        and same_or_unset(earlier.answer_code, later.answer_code)
        and same_or_unset(earlier.answer_value, later.answer_value)
        and _words_covered(earlier.words, later.words)
        and earlier.hours in (RoutingRule.Hours.ANY, later.hours)
        and earlier.hour_from is None
        and earlier.hour_to is None
        and (not earlier.min_priority or (later.min_priority or 0) >= earlier.min_priority)
    )


def never_matching(rules: list[RoutingRule]) -> dict[int, RoutingRule | None]:
    """Rules that can never decide anything, with the earlier rule that shadows them (None: contradictory)."""
    found: dict[int, RoutingRule | None] = {}
    for i, rule in enumerate(rules):
        if rule.area_id and rule.area_layer_id and rule.area.layer_id != rule.area_layer_id:
            found[rule.pk] = None
            continue
        if rule.hour_from is not None and rule.hour_to is not None and rule.hour_from == rule.hour_to:
            found[rule.pk] = None
            continue
        if (
            rule.service_type_id
            and rule.service_group
            and rule.service_type.group.lower() != rule.service_group.lower()
        ):
            found[rule.pk] = None
            continue
        for earlier in rules[:i]:
            if earlier.pk not in found and _covers(earlier, rule):
                found[rule.pk] = earlier
                break
    return found
