"""The statistics page's tables, with small-cell suppression, and their charts as plain SVG geometry."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .forecast import HORIZON, WINDOW, forecast

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suppressed:
    """A cell that would describe fewer than k requests."""

    k: int

    def __str__(self):
        return f"<{self.k}"


def suppress_groups(counts: list[int], k: int, groups: list[list[int]] | None = None) -> list:
    """Small-cell suppression with complementary suppression: the counts, with those under k hidden, and in
    every group (by default the whole list) that hides exactly one cell, one more hidden, the smallest other,
    so no hidden cell can be worked out from the group's total (shown elsewhere: every table sums to the same
    number of requests) and the cells shown. ``groups`` lists the indexes of each row and column of a table.
    """
    hidden = {i for i, n in enumerate(counts) if 0 < n < k}
    groups = groups if groups is not None else [list(range(len(counts)))]
    changed = True
    while changed:
        changed = False
        for group in groups:
            inside = [i for i in group if i in hidden]
            others = [i for i in group if i not in hidden]
            if len(inside) == 1 and others:
                hidden.add(min(others, key=lambda i: (counts[i] == 0, counts[i])))
                changed = True
    return [Suppressed(k) if i in hidden else n for i, n in enumerate(counts)]


@dataclass(frozen=True)
class Gap:
    """Months without a single request, shown as one row so that a time axis never jumps silently."""

    first: str
    last: str

    def __str__(self):
        return _("no requests from %(first)s to %(last)s") % {"first": self.first, "last": self.last}


def with_gaps(months: list[tuple[date, object]]) -> list[tuple[str, object]]:
    """(month, value) rows in order, with a missing month or two filled with 0 and a longer run as one Gap."""
    rows: list[tuple[str, object]] = []
    previous = None
    for month, value in months:
        if previous is not None:
            missing = _months_between(previous, month)
            if len(missing) > 2:
                rows.append(
                    (f"{_label(missing[0])} – {_label(missing[-1])}", Gap(_label(missing[0]), _label(missing[-1])))
                )
            else:
                rows.extend((_label(m), 0) for m in missing)
        rows.append((_label(month), value))
        previous = month
    return rows


def _label(month: date) -> str:
    return month.strftime("%Y-%m")


def _months_between(a: date, b: date) -> list[date]:
    out, year, month = [], a.year, a.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if (year, month) >= (b.year, b.month):
            return out
        out.append(date(year, month, 1))


def days(value_hours, n: int, k: int):
    """A duration given in hours, said in days: one decimal under ten days, whole days above."""
    if n < k:
        return Suppressed(k)
    if value_hours is None:
        return ""
    value = value_hours / 24
    return round(value, 1) if value < 10 else round(value)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: dict | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


CHART_WIDTH = 600
BAR_HEIGHT = 18
LABEL_WIDTH = 250
LABEL_CHARS = 34


def bar_chart(rows: list[tuple[str, object]], limit: int = 25) -> dict:
    """Horizontal bars for (label, value) pairs; suppressed or empty values get no bar."""
    rows = rows[:limit]
    numbers = [v for _label, v in rows if isinstance(v, (int, float))]
    top = max(numbers, default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 60
    bars = []
    for i, (label, value) in enumerate(rows):
        width = round(span * value / top, 1) if isinstance(value, (int, float)) else 0
        y = i * (BAR_HEIGHT + 4)
        label = str(label)
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bars.append(
            {
                "label": short,
                "full_label": label,
                "value": str(value),
                "y": y,
                "text_y": y + BAR_HEIGHT - 4,
                "width": width,
                "value_x": LABEL_WIDTH + width + 4,
                "gap": isinstance(value, Gap),
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(len(bars) * (BAR_HEIGHT + 4), BAR_HEIGHT),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


# The statistics of a whole history take about a minute on 1,000,000 requests (the area join alone half of
# it), too long for a web request: a beat task prepares the numbers every STATS_REFRESH_MINUTES and pages only
# lay them out, in the reader's language, with the jurisdiction's k.
STATS_REFRESH_MINUTES = 15
STATS_KEPT_SECONDS = 24 * 3600
PENDING_SECONDS = 5 * 60


def _data_key(jurisdiction_id: int) -> str:
    return f"public:stats-data:{jurisdiction_id}"


def _pending_key(jurisdiction_id: int) -> str:
    return f"public:stats-pending:{jurisdiction_id}"


def collect_statistics(jurisdiction) -> dict:
    """Every aggregate the statistics page shows (no person, no point: counts and durations only)."""
    return {
        "computed_at": timezone.now(),
        "per_type": selectors.requests_per_type(jurisdiction),
        "per_area": selectors.requests_per_area(jurisdiction),
        "per_month": selectors.requests_per_month(jurisdiction),
        "backlog": selectors.open_backlog(jurisdiction),
        "times_department": selectors.response_times(jurisdiction, "department"),
        "times_service_type": selectors.response_times(jurisdiction, "service_type"),
        "sla": selectors.sla_share(jurisdiction),
        "resolve_trend": selectors.resolve_times_by_area_and_month(jurisdiction),
        "weekly_service_type": selectors.weekly_counts(jurisdiction, "service_type", WINDOW + HORIZON),
        "weekly_area": selectors.weekly_counts(jurisdiction, "area", WINDOW + HORIZON),
    }


def refresh_statistics(jurisdiction) -> dict:
    """Compute a jurisdiction's statistics now and keep them for the pages."""
    data = collect_statistics(jurisdiction)
    cache.set(_data_key(jurisdiction.pk), data, STATS_KEPT_SECONDS)
    cache.delete(_pending_key(jurisdiction.pk))
    return data


def ask_for_statistics(jurisdiction) -> None:
    """Have a worker prepare statistics that are missing (once, however many readers ask)."""
    from .tasks import refresh_public_statistics_task

    if cache.add(_pending_key(jurisdiction.pk), 1, PENDING_SECONDS):
        try:
            refresh_public_statistics_task.delay(jurisdiction.pk)
        except Exception:  # broker down: the beat task will prepare them; the page says they are coming
            logger.warning("could not enqueue statistics of jurisdiction %s", jurisdiction.pk, exc_info=True)
            cache.delete(_pending_key(jurisdiction.pk))


def statistics_for(
    jurisdiction,
    k: int | None = None,
    window: tuple[date | None, date | None] = (None, None),
) -> tuple[dict[str, Table], object] | None:
    """The statistics page's tables and when their numbers were computed, or None while not prepared yet.

    ``window`` (first month, last month) narrows the tables that go month by month.
    """
    data = cache.get(_data_key(jurisdiction.pk))
    if data is None:
        return None
    return _build(data, k or selectors.suppression_k(jurisdiction), window), data["computed_at"]


def _in_window(month, window) -> bool:
    first, last = window
    month = month.date() if hasattr(month, "date") else month
    return (first is None or month >= first.replace(day=1)) and (last is None or month <= last)


def _build(data: dict, k: int, window=(None, None)) -> dict[str, Table]:
    count = _("Requests")
    tables = []

    per_type = [
        [r["name"], n]
        for r, n in zip(data["per_type"], suppress_groups([r["n"] for r in data["per_type"]], k), strict=False)
    ]
    tables.append(
        Table(
            "per-type",
            _("Requests per service type"),
            [_("Service type"), count],
            per_type,
            bar_chart([tuple(r) for r in per_type]),
        )
    )

    per_area = [
        [r["name"], n]
        for r, n in zip(data["per_area"], suppress_groups([r["n"] for r in data["per_area"]], k), strict=False)
    ]
    tables.append(
        Table("per-area", _("Requests per area"), [_("Area"), count], per_area, bar_chart([tuple(r) for r in per_area]))
    )

    in_window = [r for r in data["per_month"] if _in_window(r["month"], window)]
    months = [
        (r["month"].date(), n) for r, n in zip(in_window, suppress_groups([r["n"] for r in in_window], k), strict=False)
    ]
    per_month = [list(r) for r in with_gaps(months)]
    tables.append(
        Table(
            "per-month",
            _("Requests per month"),
            [_("Month"), count],
            per_month,
            bar_chart([tuple(r) for r in per_month[-24:]], limit=24),
            note=_(
                "The chart shows the last 24 rows; the table and CSV have all. A run of months "
                "without requests is one row."
            ),
        )
    )

    # Rows and columns of the department × type grid are both groups: a hidden cell is hidden in each.
    by_department, by_type = {}, {}
    for i, r in enumerate(data["backlog"]):
        by_department.setdefault(r["department_name"], []).append(i)
        by_type.setdefault(r["type_name"], []).append(i)
    backlog_counts = suppress_groups(
        [r["n"] for r in data["backlog"]],
        k,
        [*by_department.values(), *by_type.values(), list(range(len(data["backlog"])))],
    )
    backlog = [
        [r["department_name"] or _("Not routed"), r["type_name"], n]
        for r, n in zip(data["backlog"], backlog_counts, strict=False)
    ]
    tables.append(
        Table(
            "open-backlog",
            _("Open backlog"),
            [_("Department"), _("Service type"), _("Open requests")],
            backlog,
            bar_chart([(f"{r[0]} · {r[1]}", r[2]) for r in backlog]),
        )
    )

    for by, title, column in (
        ("department", _("Response times per department"), _("Department")),
        ("service_type", _("Response times per service type"), _("Service type")),
    ):
        counts = suppress_groups([r["n"] for r in data[f"times_{by}"]], k)
        rows = [
            [
                r["name"] or _("Not routed"),
                n,
                days(r["ack_p50"], r["n_acknowledged"], k),
                days(r["ack_p90"], r["n_acknowledged"], k),
                days(r["resolve_p50"], r["n_resolved"], k),
                days(r["resolve_p90"], r["n_resolved"], k),
            ]
            for r, n in zip(data[f"times_{by}"], counts, strict=False)
        ]
        tables.append(
            Table(
                f"times-{by.replace('_', '-')}",
                title,
                [
                    column,
                    count,
                    _("Days to acknowledge, median"),
                    _("Days to acknowledge, 90th percentile"),
                    _("Days to resolve, median"),
                    _("Days to resolve, 90th percentile"),
                ],
                rows,
                bar_chart([(r[0], r[4]) for r in rows]),
                note=_("The chart shows the median days to resolve."),
            )
        )

    trend_rows = [r for r in data.get("resolve_trend", []) if _in_window(r["month"], window)]
    # Each area's months and each month's areas add up to totals shown elsewhere: suppress across both.
    by_area, by_month = defaultdict(list), defaultdict(list)
    for i, r in enumerate(trend_rows):
        by_area[r["area"]].append(i)
        by_month[r["month"]].append(i)
    trend_counts = suppress_groups([r["n"] for r in trend_rows], k, groups=[*by_area.values(), *by_month.values()])
    trend = [
        [r["area"], _label(r["month"].date()), n, days(r["resolve_p50"], r["n"], k)]
        for r, n in zip(trend_rows, trend_counts, strict=False)
    ]
    tables.append(
        Table(
            "resolve-trend",
            _("Days to resolve, per area and month"),
            [_("Area"), _("Month"), _("Resolved requests"), _("Days to resolve, median")],
            trend,
            note=_("Requests resolved, by the month they were filed in. Use the dates above to choose the months."),
        )
    )

    sla = data["sla"]
    sla_rows = [_sla_row(r, k) for r in sla]
    tables.append(
        Table(
            "sla",
            _("Resolved within the promised time"),
            [_("Department"), _("Closed with a promised date"), _("Closed by that date"), _("Share (%)")],
            sla_rows,
            bar_chart([(r[0], r[3]) for r in sla_rows]) if sla_rows else None,
            note=""
            if sla_rows
            else _(
                "No closed request has a promised (expected) date yet, so the "
                "share resolved within the promised time cannot be computed."
            ),
        )
    )

    for by, title, column in (
        ("service_type", _("Forecast per service type"), _("Service type")),
        ("area", _("Forecast per area"), _("Area")),
    ):
        starts, series = data[f"weekly_{by}"]
        rows = []
        for label, by_week in sorted(series.items(), key=lambda item: -sum(item[1].values()))[:15]:
            history = [by_week.get(week, 0) for week in starts]
            result = forecast(history)
            rows.append(
                [
                    label,
                    *[_forecast_cell(v, k) for v in result.next_weeks],
                    "" if result.backtest_mae is None else result.backtest_mae,
                    "" if result.backtest_actual_mean is None else _forecast_cell(result.backtest_actual_mean, k),
                ]
            )
        weeks = [(starts[-1] + timedelta(weeks=i + 1)).isoformat() for i in range(HORIZON)] if starts else []
        tables.append(
            Table(
                f"forecast-{by.replace('_', '-')}",
                title,
                [
                    column,
                    *[_("Week of %(date)s") % {"date": w} for w in weeks],
                    _("Backtest mean absolute error"),
                    _("Actual weekly mean in the backtest"),
                ],
                rows,
                bar_chart([(r[0], r[1]) for r in rows]) if rows else None,
                note=_(
                    "Forecast: the mean of the last %(window)s weeks with data. Backtest: the same method "
                    "forecast the %(horizon)s weeks just past from the %(window)s before them; the error is "
                    "in requests per week."
                )
                % {"window": WINDOW, "horizon": HORIZON},
            )
        )
    return {t.key: t for t in tables}


def _sla_row(r: dict, k: int) -> list:
    # The share and the shown count give away both the requests closed in time and those closed late (n minus
    # the first): if either is under k, the count in time and the share are both hidden.
    n, within = r["n"], r["n_within"]
    if n < k:
        return [r["name"] or _("Not routed"), Suppressed(k), Suppressed(k), Suppressed(k)]
    if 0 < within < k or 0 < n - within < k:
        return [r["name"] or _("Not routed"), n, Suppressed(k), Suppressed(k)]
    return [r["name"] or _("Not routed"), n, within, round(100 * within / n, 1)]


def _forecast_cell(value: float, k: int):
    return Suppressed(k) if 0 < value < k else value
