"""docs/capacity.md is computed from benchmark figures, never typed: regenerating it gives the committed text."""

import json

import pytest

from bench import capacity


def test_the_committed_capacity_plan_is_what_the_kept_figures_give():
    figures, source = capacity.load_figures(capacity.KEPT)
    assert capacity.render(figures, source) == capacity.DOC.read_text(encoding="utf-8")


def test_nodes_follow_the_measured_figures(tmp_path):
    figures, _source = capacity.load_figures(capacity.KEPT)
    slower = {key: dict(row) for key, row in figures.items()}
    for row in slower.values():
        if row["benchmark"] == "public_map":
            row["project"] *= 4  # tiles four times slower: four times the tile nodes, the rest unchanged
    before = {need.part: need.nodes for need in capacity.needs_for(20_000_000, figures)}
    after = {need.part: need.nodes for need in capacity.needs_for(20_000_000, slower)}
    assert after["web: map tiles"] == pytest.approx(4 * before["web: map tiles"], rel=0.02)
    assert {k: v for k, v in after.items() if k != "web: map tiles"} == {
        k: v for k, v in before.items() if k != "web: map tiles"
    }


def test_a_report_without_a_needed_figure_says_to_run_the_benchmarks(tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"figures": []}))
    figures, source = capacity.load_figures(report)
    with pytest.raises(SystemExit, match="make bench"):
        capacity.render(figures, source)
