"""`make bench` reports each figure with its aim and whether it is met (bench/figures.py, bench/report.py)."""

from bench.figures import Figure
from bench.report import write_report


def test_a_rate_meets_a_ratio_aim_only_at_that_share_of_the_raw_limit():
    assert Figure("b", "posts/s", 600, 1000, "/s", True, aim_ratio=0.5).met is True
    assert Figure("b", "posts/s", 400, 1000, "/s", True, aim_ratio=0.5).met is False


def test_a_latency_meets_an_absolute_aim_and_a_ratio_aim_together():
    assert Figure("b", "p95", 25, 20, "ms", False, aim_ratio=0.5, aim_value=30).met is True
    # Within twice the raw query but over the 30 ms bound: not met.
    assert Figure("b", "p95", 35, 20, "ms", False, aim_ratio=0.5, aim_value=30).met is False
    assert Figure("b", "p95", 25, 5, "ms", False, aim_ratio=0.5, aim_value=30).met is False


def test_a_figure_without_an_aim_is_reported_only():
    figure = Figure("b", "p95", 25, 5, "ms", False)
    assert figure.met is None and "aim" not in figure.line()


def test_the_report_says_which_aims_are_met(tmp_path):
    figures = [
        Figure("open311", "POST /s", 600, 1000, "/s", True, "no-op", aim_ratio=0.5),
        Figure("tiles", "z12 p95", 45, 40, "ms", False, "raw", aim_value=30),
        Figure("contacts", "held p95", 3, 1, "ms", False),
    ]

    report = write_report(figures, tmp_path).read_text(encoding="utf-8")

    assert "| open311 | POST /s | 600.00 | 1000.00 (no-op) | /s | 0.600 | ratio ≥ 0.5 | yes |" in report
    assert "| tiles | z12 p95 | 45.00 | 40.00 (raw) | ms | 0.889 | ≤ 30 ms | **no** |" in report
    assert "Aims met: 1 of 2." in report
    assert (tmp_path / "report.png").stat().st_size > 0
