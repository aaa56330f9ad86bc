"""What a benchmark reports: the project's figure next to the raw limit of the same machine, and the ratio."""

import statistics
import time
from dataclasses import dataclass


@dataclass
class Figure:
    benchmark: str
    name: str
    project: float
    baseline: float
    unit: str
    higher_is_better: bool
    baseline_name: str = "raw"
    # What the issue asks of this figure: a ratio to the raw limit (0.5: at least half as fast), an absolute bound
    # in the figure's own unit (30 for "p95 at most 30 ms", a floor for rates), or both. None: reported only.
    aim_ratio: float | None = None
    aim_value: float | None = None

    @property
    def aim(self) -> str:
        parts = []
        if self.aim_ratio is not None:
            parts.append(f"ratio ≥ {self.aim_ratio:g}")
        if self.aim_value is not None:
            parts.append(f"{'≥' if self.higher_is_better else '≤'} {self.aim_value:g} {self.unit}")
        return ", ".join(parts)

    @property
    def met(self) -> bool | None:
        """Whether every aim holds; None when the figure has none."""
        if self.aim_ratio is None and self.aim_value is None:
            return None
        ok = self.aim_ratio is None or self.ratio >= self.aim_ratio
        if self.aim_value is not None:
            ok = ok and (self.project >= self.aim_value if self.higher_is_better else self.project <= self.aim_value)
        return ok

    @property
    def ratio(self) -> float:
        """How far the project is from the raw limit: 1.0 means as fast; below 1 is slower, for both kinds."""
        if not self.project or not self.baseline:
            return 0.0
        return self.project / self.baseline if self.higher_is_better else self.baseline / self.project

    def line(self) -> str:
        return (
            f"{self.benchmark:<16} {self.name:<44} {self.project:>11.2f} {self.unit:<8} "
            f"{self.baseline_name}: {self.baseline:>11.2f} {self.unit:<8} ratio {self.ratio:6.3f}"
            + ("" if self.met is None else f"  aim {self.aim}: {'met' if self.met else 'NOT MET'}")
        )


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p95 of a list of latencies."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def timed_ms(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples
