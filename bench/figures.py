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
    # The ratio this figure aims at (e.g. 0.5: at least half the raw rate, or at most twice the raw latency).
    aim: float | None = None

    @property
    def verdict(self) -> str:
        if self.aim is None:
            return ""
        return f"aim ≥ {self.aim:.2f}: {'met' if self.ratio >= self.aim else 'NOT met'}"

    @property
    def ratio(self) -> float:
        """How far the project is from the raw limit: 1.0 means as fast; below 1 is slower, for both kinds."""
        if not self.project or not self.baseline:
            return 0.0
        return self.project / self.baseline if self.higher_is_better else self.baseline / self.project

    def line(self) -> str:
        return (
            f"{self.benchmark:<16} {self.name:<44} {self.project:>11.2f} {self.unit:<8} "
            f"{self.baseline_name}: {self.baseline:>11.2f} {self.unit:<8} ratio {self.ratio:6.3f} {self.verdict}"
        ).rstrip()


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
