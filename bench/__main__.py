"""`make bench`: run every benchmark module in bench/ and write one report, a table and a chart.

A benchmark module defines ``run(jurisdiction_id) -> list[Figure]``; each figure pairs the project's
number with the raw limit of the same machine measured in the same run.
"""

import argparse
import importlib
import pkgutil
import sys
import time
from pathlib import Path

from bench.dataset import use_bench_database
from bench.figures import Figure

HELPERS = {"__main__", "capacity", "dataset", "figures", "report", "loadgen", "loadtest", "photo_set"}
RESULTS = Path(__file__).resolve().parent / "results"
BUDGET_MINUTES = 15


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("only", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="requests in the benchmark database")
    args = parser.parse_args()

    use_bench_database()
    import django

    django.setup()
    from bench.dataset import ensure_bench_data
    from bench.report import write_report

    names = args.only or sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name not in HELPERS
    )
    run_started = time.monotonic()
    jurisdiction_id = ensure_bench_data(args.rows)
    figures = []
    durations = {}
    for name in names:
        print(f"\n== {name}", flush=True)
        started = time.monotonic()
        module_figures = importlib.import_module(f"bench.{name}").run(jurisdiction_id)
        for figure in module_figures:
            print(figure.line(), flush=True)
        figures.extend(module_figures)
        durations[name] = time.monotonic() - started
        print(f"({name}: {durations[name]:.0f}s)", flush=True)
    total_minutes = (time.monotonic() - run_started) / 60
    print("\n" + "  ".join(f"{name} {seconds:.0f}s" for name, seconds in durations.items()))
    if not args.only:
        # The whole run has an aim too: `make bench` in under 15 minutes, data set included.
        figures.append(
            Figure(
                "bench",
                "make bench, whole run",
                total_minutes,
                BUDGET_MINUTES,
                "min",
                False,
                "budget",
                aim_value=BUDGET_MINUTES,
            )
        )
    report = write_report(figures, RESULTS)
    print(f"\nReport: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
