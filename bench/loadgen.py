"""An open-loop load generator: requests start at a fixed rate whatever the server's latency (so a slow
server shows up as latency and errors, not as a politely lower rate), mixed by weight, with a report."""

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

from bench.figures import percentiles


@dataclass
class Outcome:
    scenario: str
    status: int
    ms: float
    acknowledged_id: str | None = None  # for filings: the id the server acknowledged


@dataclass
class LoadResult:
    seconds: float
    rate: float
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == 0 or o.status >= 400]

    def by_scenario(self) -> dict[str, list[Outcome]]:
        groups = defaultdict(list)
        for o in self.outcomes:
            groups[o.scenario].append(o)
        return dict(groups)

    def table(self) -> str:
        lines = [f"{'scenario':<18} {'count':>7} {'errors':>7} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}"]
        for name, group in sorted(self.by_scenario().items()) + [("ALL", self.outcomes)]:
            ms = sorted(o.ms for o in group)
            p50, p95 = percentiles(ms)
            p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]  # rounded like p95
            errors = sum(1 for o in group if o.status == 0 or o.status >= 400)
            lines.append(f"{name:<18} {len(group):>7} {errors:>7} {p50:>9.1f} {p95:>9.1f} {p99:>9.1f}")
        lines.append(
            f"throughput: {len(self.outcomes) / self.seconds:.1f} requests/s over {self.seconds:.0f}s "
            f"(target {self.rate:.0f}/s)"
        )
        return "\n".join(lines)


async def run_load(base_url: str, scenarios: dict, rate: float, seconds: float, progress=None) -> LoadResult:
    """``scenarios`` maps a name to (weight, async fn(client) -> Outcome)."""
    names = list(scenarios)
    weights = [scenarios[n][0] for n in names]
    result = LoadResult(seconds=seconds, rate=rate)
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        tasks = []
        start = time.monotonic()
        total = int(rate * seconds)
        for i in range(total):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            name = random.choices(names, weights)[0]
            tasks.append(asyncio.create_task(_one(client, name, scenarios[name][1])))
            if progress and i % max(1, int(rate)) == 0:
                progress(i, total)
        result.outcomes = await asyncio.gather(*tasks)
    return result


async def _one(client, name, fn) -> Outcome:
    started = time.perf_counter()
    try:
        outcome = await fn(client)
    except httpx.HTTPError:
        outcome = Outcome(name, 0, 0)
    outcome.scenario = name
    outcome.ms = (time.perf_counter() - started) * 1000
    return outcome
