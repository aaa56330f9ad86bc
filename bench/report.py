"""One Markdown table and one chart of every figure next to its raw-limit baseline."""

import json
from dataclasses import asdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench.figures import Figure  # noqa: E402


def write_report(figures: list[Figure], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    chart = folder / "report.png"
    lines = [
        "# Civic311 benchmarks",
        "",
        "Each figure is measured in the same run as the raw limit of this machine doing the same work.",
        "Ratio: project / raw for rates, raw / project for latencies (1.0 = as fast as the raw limit).",
        "",
        "| benchmark | figure | Civic311 | raw limit | unit | ratio | aim |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.benchmark} | {f.name} | {f.project:.2f} | {f.baseline:.2f} ({f.baseline_name}) "
            f"| {f.unit} | {f.ratio:.3f} | {f.verdict} |"
        )
    lines += ["", f"![ratios]({chart.name})", ""]
    report = folder / "report.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    # For machines: bench/capacity.py derives docs/capacity.md from it.
    (folder / "report.json").write_text(
        json.dumps(
            {"source": "bench/results/report.json (the last `make bench`)", "figures": [asdict(f) for f in figures]},
            indent=1,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )

    if figures:
        height = 0.35 * len(figures) + 1.2
        fig, ax = plt.subplots(figsize=(9, height))
        labels = [f"{f.benchmark}: {f.name}" for f in figures]
        ratios = [max(f.ratio, 1e-3) for f in figures]
        ax.barh(labels, ratios, color=["#2b8a3e" if r >= 0.5 else "#c92a2a" for r in ratios])
        ax.axvline(1.0, color="#333", linewidth=1)
        # Log scale: ratios run from a hundredth (far from the raw limit) to tens (well inside a budget).
        ax.set_xscale("log")
        ax.set_xlabel("ratio to the raw limit of this machine (1.0 = as fast; log scale)")
        ax.invert_yaxis()
        fig.tight_layout()
        fig.savefig(chart, dpi=110)
        plt.close(fig)
    return report
