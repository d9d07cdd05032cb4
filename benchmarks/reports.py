"""Issue 15's benchmark: every report at 10,000 deals and their events, as a user runs it.

Fills a fresh SQLite file with ``salesboard demo`` (or reuses ``--db``), then times each
``salesboard report NAME`` command end to end (a new process each time, start-up and
imports included, output to a pipe) and, in this process, where the time goes: reading
the facts (one read transaction) and computing the report from them. Budget: 1 s per
report, end to end.

    python benchmarks/reports.py                      # 10,000 deals, 5 runs each
    python benchmarks/reports.py --deals 1000 --repeat 1 --quick   # CI smoke run
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from board import Salesboard, machine, source_state

REPORTS = ("forecast", "funnel", "velocity", "stuck", "outcomes", "owners")
BUDGET_MS = 1000.0


def fill(sb: Salesboard, db: Path, deals: int) -> None:
    """A demo database of ``deals`` deals with their histories, made once."""
    if not db.exists():
        sb.run("--db", str(db), "demo", "--deals", str(deals))


def median_ms(runs: int, work: Callable[[], Any]) -> float:
    """The median wall time of ``runs`` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def in_process(db: Path, runs: int) -> dict[str, dict[str, float]]:
    """Reading the facts and computing each report from them, apart."""
    from salesboard.reports.facts import Period
    from salesboard.reports.source import ENDINGS, load_facts
    from salesboard.store import Database

    database = Database.open(str(db))
    facts = load_facts(database)
    period = Period.quarter_of(facts.today)
    found: dict[str, dict[str, float]] = {
        "facts": {"median": median_ms(runs, lambda: load_facts(database))},
        "facts without moves": {
            "median": median_ms(runs, lambda: load_facts(database, moves=False))
        },
        "facts with wins and losses only": {
            "median": median_ms(runs, lambda: load_facts(database, moves=ENDINGS))
        },
    }
    for name in REPORTS:
        module = importlib.import_module(f"salesboard.reports.{name}")
        found[name] = {"median": median_ms(runs, lambda m=module: m.report(facts, period))}
    database.close()
    return found


def timed(sb: Salesboard, *args: str) -> tuple[float, float]:
    """One command run to the end: wall and CPU time (user + system) in milliseconds.

    CPU time is what the command itself cost; on a shared VM the wall time also holds
    whatever the neighbours took.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, _out = sb.run(*args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def end_to_end(sb: Salesboard, db: Path, runs: int) -> dict[str, dict[str, float]]:
    """Each ``salesboard report`` command, start to exit, as a script or a person runs it."""
    found: dict[str, dict[str, float]] = {}
    commands: list[tuple[str, list[str]]] = [(name, [name, "--json"]) for name in REPORTS]
    commands += [(f"{name} (table)", [name]) for name in ("forecast", "funnel")]
    commands.append(("digest", ["digest"]))
    floor = [timed(sb, "--db", str(db), "show", "1", "--json") for _ in range(runs)]
    found["floor: show 1 --json"] = _summary(floor)
    for label, args in commands:
        found[label] = _summary([timed(sb, "--db", str(db), "report", *args) for _ in range(runs)])
    return found


def _summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    walls = [wall for wall, _cpu in samples]
    return {
        "median": statistics.median(walls),
        "min": min(walls),
        "max": max(walls),
        "cpu": statistics.median(cpu for _wall, cpu in samples),
    }


def table(deals: int, e2e: dict[str, dict[str, float]], parts: dict[str, dict[str, float]]) -> str:
    """The results as the Markdown rows kept in README.md."""
    lines = [
        f"| report at {deals:,} deals | end to end (median) | min–max | CPU (median) | budget"
        " | verdict |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, row in e2e.items():
        verdict = "PASS" if row["median"] <= BUDGET_MS else "MISS"
        if label.startswith("floor"):
            lines.append(
                f"| {label} (the cheapest command that opens the database) |"
                f" {row['median']:.0f} ms | {row['min']:.0f}–{row['max']:.0f} ms"
                f" | {row['cpu']:.0f} ms | — | — |"
            )
            continue
        lines.append(
            f"| `report {label}` | {row['median']:.0f} ms | {row['min']:.0f}–{row['max']:.0f} ms"
            f" | {row['cpu']:.0f} ms | ≤ {BUDGET_MS:.0f} ms | {verdict} |"
        )
    lines += ["", "| in the process | median |", "|---|---:|"]
    lines += [f"| {label} | {row['median']:.0f} ms |" for label, row in parts.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command")
    parser.add_argument("--db", type=Path, default=None, help="reuse this demo database")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--quick", action="store_true", help="smoke run: never fails on time")
    args = parser.parse_args(argv)
    sb = Salesboard()
    with tempfile.TemporaryDirectory(prefix="salesboard-reports-") as scratch:
        db = args.db or Path(scratch) / f"demo-{args.deals}.db"
        print(f"filling {db} with {args.deals} demo deals …", file=sys.stderr)
        fill(sb, db, args.deals)
        e2e = end_to_end(sb, db, args.repeat)
        parts = in_process(db, args.repeat)
    print(table(args.deals, e2e, parts))
    if args.json is not None:
        result = {
            "deals": args.deals,
            "end_to_end": e2e,
            "in_process": parts,
            "machine": machine(),
            "source": source_state(),
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    missed = [
        label
        for label, row in e2e.items()
        if row["median"] > BUDGET_MS and not label.startswith("floor")
    ]
    return 0 if args.quick or not missed else 1


if __name__ == "__main__":
    os.environ.setdefault("LANG", "C.UTF-8")
    sys.exit(main())
