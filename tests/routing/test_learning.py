from datetime import UTC, datetime, timedelta

from routing.engine import Inputs, first_match
from routing.history import HistoryRow
from routing.models import RoutingRule
from routing.rule_table import Route, by_type, plan_routes, predict_queue, weights

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def row(kind, queue, text="", days_ago=0):
    return HistoryRow(
        type=kind, queue=queue, department=queue, lat=None, lon=None, opened=NOW - timedelta(days=days_ago), text=text
    )


def test_a_row_loses_half_its_weight_every_half_life():
    assert weights([row("a", "q"), row("a", "q", days_ago=90), row("a", "q", days_ago=180)], 90) == [1.0, 0.5, 0.25]
    assert weights([row("a", "q", days_ago=400)], None) == [1.0]


def test_words_inside_chinese_running_text_send_a_type_to_another_queue_and_rare_words_back_off():
    rows = (
        [row("道路", "道路养护", "路面有坑") for _ in range(6)]
        + [row("道路", "排水", "人行道上的井盖不见了") for _ in range(4)]
        + [row("道路", "排水", "罕见的词")]
    )
    routes = plan_routes(rows, {}, None)
    assert Route(type="道路", queue="排水", word="井盖") in routes
    assert routes[-1] == Route(type="道路", queue="道路养护")
    assert not any(r.word == "罕见" for r in routes)  # one row is too few: the type's usual queue decides
    table = by_type(routes)
    assert predict_queue(table, row("道路", "", "这里井盖丢失"), None) == "排水"
    assert predict_queue(table, row("道路", "", "罕见的词"), None) == "道路养护"
    # The engine reads the learned word the same way inside running text.
    rule = RoutingRule(pk=1, order=1, department_id=1, words=["井盖"])
    assert first_match([rule], Inputs(service_type_id=1, description="这里井盖丢失")) == rule
