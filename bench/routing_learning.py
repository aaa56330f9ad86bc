"""Learning routing from a large history: `routing_learn` on a synthetic scale-up of the San Francisco sample.

The demo's 10,000 real rows are repeated (ROUTING_LEARN_BENCH_ROWS, 1,000,000 by default) with their dates
spread over earlier years and their points moved a few metres, then learned exactly as a city would, in a
child process so its peak memory is its own. The raw limit beside it: reading the same CSV with the csv module.
"""

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.figures import Figure
from requests_app.models import Jurisdiction

N = int(os.environ.get("ROUTING_LEARN_BENCH_ROWS", "1000000"))
SAMPLE = Path(__file__).resolve().parent.parent / "demo" / "data" / "sf311_sample.csv"
SLUG = "learning-bench.example"
COLUMNS = (
    "type=category,lat=latitude,long=longitude,queue=agency_name,opened=created_date,text=complaint_type+descriptor"
)
MEMORY_LIMIT_MB = 2048
# "Finishes in minutes": learning a million rows should take no longer than this, on the clock.
TIME_AIM_S = 15 * 60


def write_history(path: Path, rows: int) -> None:
    """The sample repeated to ``rows`` rows, each copy a year or more older and a few metres away."""
    rng = random.Random(5)
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields, sample = reader.fieldnames, list(reader)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for i in range(rows):
            row = dict(sample[i % len(sample)])
            copy = i // len(sample)
            if copy:
                opened = datetime.strptime(row["created_date"][:19], "%Y-%m-%d %H:%M:%S")
                row["created_date"] = (opened - timedelta(days=7 * copy)).strftime("%Y-%m-%d %H:%M:%S")
                if row["latitude"] and row["longitude"]:
                    row["latitude"] = f"{float(row['latitude']) + rng.uniform(-3e-4, 3e-4):.6f}"
                    row["longitude"] = f"{float(row['longitude']) + rng.uniform(-3e-4, 3e-4):.6f}"
            writer.writerow(row)


def _read_raw(path: Path) -> float:
    started = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as f:
        for _row in csv.reader(f):
            pass
    return time.perf_counter() - started


def run(jurisdiction_id: int) -> list[Figure]:
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    with tempfile.TemporaryDirectory() as folder:
        history = Path(folder) / "history.csv"
        write_history(history, N)
        raw_seconds = _read_raw(history)
        print(f"learning from {N:,} rows ({history.stat().st_size / 1e6:.0f} MB of CSV)", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(manage),
                "routing_learn",
                "--jurisdiction",
                SLUG,
                "--timezone",
                "America/Los_Angeles",
                "--history",
                str(history),
                "--columns",
                COLUMNS,
                "--areas",
                str(SAMPLE.parent / "sf_neighborhoods.geojson"),
                "--layer",
                "neighborhoods",
            ],
            check=True,
        )
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    Jurisdiction.objects.filter(slug=SLUG).delete()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"learned in {seconds:.0f}s on the clock ({cpu.ru_utime + cpu.ru_stime:.0f}s CPU; aim: minutes, at most "
        f"{TIME_AIM_S // 60} — {'met' if seconds <= TIME_AIM_S else 'NOT met'}), peak memory {peak_mb:.0f} MB "
        f"(aim: under {MEMORY_LIMIT_MB} MB — {'met' if peak_mb < MEMORY_LIMIT_MB else 'NOT met'})",
        flush=True,
    )
    return [
        Figure(
            "routing_learning",
            f"learn from {N:,} history rows",
            seconds,
            raw_seconds,
            "s",
            False,
            "reading the CSV alone",
        ),
        Figure(
            "routing_learning",
            f"peak memory learning {N:,} rows",
            peak_mb,
            MEMORY_LIMIT_MB,
            "MB",
            False,
            "the 2 GB budget",
        ),
    ]
