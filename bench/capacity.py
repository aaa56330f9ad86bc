"""Capacity on paper, from measurements: how many web, worker and database nodes a city needs at a storm peak.

    python -m bench.capacity            # from bench/results/report.json (the last `make bench`), else
                                        # docs/bench-figures.json (the last full run, kept in the repository)

Writes docs/capacity.md and docs/capacity.png. Every node count is computed here from the measured figures and
the planning assumptions below; nothing in the document is typed by hand. A node is one machine like the one
the benchmarks ran on (2 cores).
"""

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURED = ROOT / "bench" / "results" / "report.json"
KEPT = ROOT / "docs" / "bench-figures.json"
DOC, CHART = ROOT / "docs" / "capacity.md", ROOT / "docs" / "capacity.png"

# (label, people, load factor): three cities at a storm peak, and the largest at ten times that.
CITIES = (
    ("1 million", 1_000_000, 1),
    ("5 million", 5_000_000, 1),
    ("20 million", 20_000_000, 1),
    ("20 million, 10x", 20_000_000, 10),
)

# Planning assumptions, each with the reason it has this value.
ASSUMPTIONS = {
    "requests_per_resident_year": (
        0.5,
        "New York files about 0.4 service requests per resident a year, San Francisco about 0.6",
    ),
    "storm_factor": (10, "a storm peak day against the average day (the issue's planning case)"),
    "peak_hour_share": (0.15, "share of a peak day's filings in its busiest hour"),
    "map_viewers_share": (
        0.0005,
        "residents with the public map open at the peak hour (journalists and residents following the storm)",
    ),
    "tiles_per_viewer_second": (0.4, "a map view is about 12 tiles, refreshed or panned every 30 s"),
    "tile_cache_hit": (
        0.9,
        "share of tile answers served by the tile cache (ETag revalidation and the cache in "
        "front): viewers look at the same city",
    ),
    "reads_per_filing": (6, "tracking page, Open311 GETs and staff queue views that follow each filing"),
    "headroom": (1.5, "nodes run at two thirds of their measured capacity"),
}


@dataclass
class Need:
    part: str
    load: float
    unit: str
    per_node: float
    basis: str

    @property
    def nodes(self) -> int:
        return max(1, math.ceil(self.load * ASSUMPTIONS["headroom"][0] / self.per_node))


def load_figures(path: Path | None = None) -> tuple[dict[tuple[str, str], dict], str]:
    path = path or (MEASURED if MEASURED.exists() else KEPT)
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(f["benchmark"], f["name"]): f for f in data["figures"]}, data.get("source", str(path))


def figure(figures: dict, benchmark: str, name_start: str) -> dict:
    for (bench, name), row in figures.items():
        if bench == benchmark and name.startswith(name_start):
            return row
    sys.exit(f"The benchmark report has no figure '{benchmark}: {name_start}…': run `make bench` first.")


def needs_for(population: int, figures: dict, factor: float = 1) -> list[Need]:
    a = {key: value for key, (value, _why) in ASSUMPTIONS.items()}
    filings = (
        population * a["requests_per_resident_year"] / 365 * a["storm_factor"] * a["peak_hour_share"] / 3600 * factor
    )
    tiles = population * a["map_viewers_share"] * a["tiles_per_viewer_second"] * (1 - a["tile_cache_hit"]) * factor
    reads = filings * a["reads_per_filing"]

    posting = figure(figures, "open311_filing", "POST requests.json, 16 clients vs no-op")["project"]
    tile_ms = figure(figures, "public_map", "tile z14 (district) p50")["project"]
    listing_ms = figure(figures, "open311_listing", "GET requests.json 1,000 p50")["project"]
    listing_sql_ms = figure(figures, "open311_listing", "GET requests.json 1,000 p50")["baseline"]
    tile_sql_ms = figure(figures, "public_map", "tile z14 (district) p50")["baseline"]
    routing = figure(figures, "routing", "decisions/s")["project"]
    inserts = figure(figures, "open311_filing", "POST requests.json, 16 clients vs raw INSERT")["baseline"]
    cores = 2
    return [
        Need("web: filings", filings, "filings/s", posting, "Open311 POST, 16 clients"),
        Need("web: map tiles", tiles, "tiles/s", cores * 1000 / tile_ms, "2 cores / district-zoom tile p50"),
        Need("web: reads after filing", reads, "pages/s", cores * 1000 / listing_ms, "2 cores / Open311 list p50"),
        Need("workers: routing", filings, "decisions/s", routing, "routing sweep"),
        # About ten statements per filing (request, history, routing decision and assignment, idempotency).
        Need("database primary: writes", filings * 10, "statements/s", inserts, "raw INSERT+COMMIT, 16 clients"),
        Need(
            "database replicas: public reads",
            tiles * tile_sql_ms / 1000 + reads * listing_sql_ms / 1000,
            "core-seconds/s",
            cores,
            "tile and list SQL time, 2 cores a replica",
        ),
    ]


def render(figures: dict, source: str) -> str:
    table = {label: needs_for(people, figures, factor) for label, people, factor in CITIES}
    header = "| part | " + " | ".join(label for label, *_ in CITIES) + " | one node does | from |"
    lines = [
        "# Capacity at a storm peak",
        "",
        "Generated by `python -m bench.capacity` from " + source + "; do not edit by hand.",
        "A node is one 2-core machine like the benchmark's. Each cell is load at the peak hour → nodes, with "
        f"{ASSUMPTIONS['headroom'][0]}x headroom.",
        "",
        "## Assumptions",
        "",
        "| assumption | value | why |",
        "|---|---:|---|",
        *[f"| {key} | {value:g} | {why} |" for key, (value, why) in ASSUMPTIONS.items()],
        "",
        "## Nodes",
        "",
        header,
        "|---|" + "---:|" * len(CITIES) + "---:|---|",
    ]
    for index, need in enumerate(table[CITIES[0][0]]):
        cells = [
            f"{table[label][index].load:,.1f} {need.unit} → **{table[label][index].nodes}**" for label, *_ in CITIES
        ]
        lines.append(f"| {need.part} | " + " | ".join(cells) + f" | {need.per_node:,.1f} {need.unit} | {need.basis} |")
    first = max(table[CITIES[2][0]], key=lambda need: need.load / need.per_node)
    beyond = sorted(zip(table[CITIES[2][0]], table[CITIES[3][0]], strict=True), key=lambda pair: -pair[1].nodes)
    lines += [
        "",
        "## Where it gives first",
        "",
        f"At {CITIES[2][0]} people the first part to need more machines is **{first.part}** "
        f"({first.load:,.1f} {first.unit} against {first.per_node:,.1f} per node). Web processes are stateless "
        "(sessions, caches and rate counters in the database and Redis; tests/scale runs two behind HAProxy), so "
        "web and worker nodes are added behind the balancer and on their queues without other change; public reads "
        "move to streaming replicas with `DATABASE_REPLICA_URLS`.",
        "",
        "## Ten times beyond",
        "",
        "At ten times the 20-million peak: "
        + "; ".join(f"{now.part} {now.nodes} → {then.nodes} nodes" for now, then in beyond)
        + ". What changes:",
        "",
        "- The primary's writes grow with filings: partition `requests_app_servicerequest` and its history by "
        "jurisdiction and year (PostgreSQL declarative partitioning), so indexes, vacuum and the routing sweep work "
        "on one year of one city at a time, and old years can live on cheaper storage.",
        "- Map tiles dominate reads: a tile cache in front (the tiles carry ETags and short max-age) answers "
        "nearly all of them; the origin then serves each distinct tile once per refresh, whatever the audience.",
        "- Photos and exports scale on their own queues (`worker-photos`, `worker`) and object storage, never on "
        "the routing workers.",
        "",
        f"![Nodes by city size]({CHART.name})",
        "",
    ]
    return "\n".join(lines)


def draw(figures: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parts = [need.part for need in needs_for(CITIES[0][1], figures)]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    width = 0.8 / len(CITIES)
    for offset, (label, people, factor) in enumerate(CITIES):
        nodes = [need.nodes for need in needs_for(people, figures, factor)]
        ax.barh([i + offset * width for i in range(len(parts))], nodes, height=width, label=label)
    ax.set_yticks([i + width * (len(CITIES) - 1) / 2 for i in range(len(parts))], parts)
    ax.set_xlabel("2-core nodes at a storm peak (log scale)")
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    fig.tight_layout()
    fig.savefig(CHART, dpi=100)
    plt.close(fig)


def main(argv: list[str]) -> int:
    figures, source = load_figures(Path(argv[0]) if argv else None)
    DOC.write_text(render(figures, source), encoding="utf-8")
    draw(figures)
    print(f"Wrote {DOC.relative_to(ROOT)} and {CHART.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
