"""An open-loop load generator: requests start at a fixed rate whatever the server's latency (so a slow
server shows up as latency and errors, not as a politely lower rate), mixed by weight, with a report.

A run always ends on time: nothing new starts after its seconds are up, and a request still unanswered
``grace`` seconds later is cancelled and counted as an error (status 0). A 503 with Retry-After is the server
shedding load honestly; the report counts those apart from errors."""

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
    retries: int = 0  # answers of 503 + Retry-After the client waited out and sent again

    @property
    def shed(self) -> bool:
        return self.status == 503


@dataclass
class LoadResult:
    seconds: float
    rate: float
    outcomes: list[Outcome] = field(default_factory=list)

    not_started: int = 0  # requests the generator could not start before the run's time was up

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == 0 or (o.status >= 400 and not o.shed)]

    @property
    def shed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.shed]

    def by_scenario(self) -> dict[str, list[Outcome]]:
        groups = defaultdict(list)
        for o in self.outcomes:
            groups[o.scenario].append(o)
        return dict(groups)

    def table(self) -> str:
        lines = [
            f"{'scenario':<18} {'count':>7} {'errors':>7} {'shed':>6} {'retried':>7} "
            f"{'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}"
        ]
        for name, group in sorted(self.by_scenario().items()) + [("ALL", self.outcomes)]:
            if not group:
                continue
            ms = sorted(o.ms for o in group)
            p50, p95 = percentiles(ms)
            p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]  # rounded like p95
            errors = sum(1 for o in group if o.status == 0 or (o.status >= 400 and not o.shed))
            shed = sum(1 for o in group if o.shed)
            retried = sum(o.retries for o in group)
            lines.append(
                f"{name:<18} {len(group):>7} {errors:>7} {shed:>6} {retried:>7} {p50:>9.1f} {p95:>9.1f} {p99:>9.1f}"
            )
        lines.append(
            f"throughput: {len(self.outcomes) / self.seconds:.1f} requests/s over {self.seconds:.0f}s "
            f"(target {self.rate:.0f}/s)"
            + (f"; {self.not_started} not started in time (the load generator fell behind)" if self.not_started else "")
        )
        return "\n".join(lines)


async def run_load(
    base_url: str, scenarios: dict, rate: float, seconds: float, progress=None, grace: float = 10
) -> LoadResult:
    """``scenarios`` maps a name to (weight, async fn(client, deadline) -> Outcome); ``deadline`` is the
    monotonic time by which the run ends, for a client that retries after a 503."""
    names = list(scenarios)
    weights = [scenarios[n][0] for n in names]
    result = LoadResult(seconds=seconds, rate=rate)
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base_url, timeout=grace, limits=limits) as client:
        tasks = []
        start = time.monotonic()
        stop, deadline = start + seconds, start + seconds + grace
        total = int(rate * seconds)
        for i in range(total):
            due = start + i / rate
            if due >= stop or time.monotonic() >= stop:
                result.not_started = total - i
                break
            if due > time.monotonic():
                await asyncio.sleep(due - time.monotonic())
            name = random.choices(names, weights)[0]
            tasks.append(asyncio.create_task(_one(client, name, scenarios[name][1], deadline), name=name))
            if progress and i % max(1, int(rate)) == 0:
                progress(i, total)
        if tasks:
            await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
        result.outcomes = [_finished(task) for task in tasks]
    return result


def _finished(task) -> Outcome:
    if task.done() and not task.cancelled():
        return task.result()
    task.cancel()  # past the run's end: unanswered, an error
    return Outcome(task.get_name(), 0, 0)


async def _one(client, name, fn, deadline) -> Outcome:
    started = time.perf_counter()
    try:
        outcome = await fn(client, deadline)
    except httpx.HTTPError:
        outcome = Outcome(name, 0, 0)
    outcome.scenario = name
    outcome.ms = (time.perf_counter() - started) * 1000
    return outcome


async def send_with_retry(send, deadline: float) -> tuple[httpx.Response, int]:
    """Send; after a 503 with Retry-After, wait as asked and send again while the run lasts, as an Open311
    client or the offline report form does. Returns the last answer and how many times it was sent again."""
    retries = 0
    while True:
        response = await send()
        wait = _retry_after(response)
        if wait is None or time.monotonic() + wait >= deadline:
            return response, retries
        retries += 1
        await asyncio.sleep(wait)


def _retry_after(response: httpx.Response) -> float | None:
    if response.status_code != 503:
        return None
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None
