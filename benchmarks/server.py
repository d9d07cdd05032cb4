"""Issue 16's benchmark: fifty boards on one server, idle, then a colleague's change.

A sales team keeps the board open all day over SSH on one shared machine. This script
starts ``--boards`` real ``salesboard`` processes, each in its own pseudo-terminal, on one
database of ``--deals`` demo deals (SQLite by default, PostgreSQL with ``--db URL``), one
after another (each waits for the previous board's first frame, so start-up is not
measured under a pile-up), then:

* leaves them idle for ``--idle-s`` seconds and reports their total CPU over that time
  as a percentage of one core (goal: under 5 % for all fifty), the bytes the idle boards
  sent to their terminals (what an idle board costs an SSH link), and their wake-ups;
* reports the resident memory (RSS) of each board: median and max;
* makes ``--changes`` edits of the first card of Prospect, which every board shows (a
  new title, written through the service exactly as ``salesboard edit ID --title …``
  does, but from this process so that the moment of the commit is known) and measures,
  per board, the time from the commit to the chunk of output that completes the new
  title on its screen; reports p50 / p95 / max over every board and change (goal: p95
  ≤ 2 s).

For comparison it runs, idle beside the boards for the same time, the empty Textual app
of ``floor_app.py`` and one board with live updates switched off (no polling, no
heartbeat): what Textual and the board cost idle with nothing of ours running.

    python benchmarks/server.py                     # 50 boards, 10,000 deals, 60 s idle
    python benchmarks/server.py --boards 10 --idle-s 30
    python benchmarks/server.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/server.py --quick             # CI smoke run (5 boards, 200 deals)

Only the standard library (and the benchmark's ``ptyapp.py``) is used. Progress goes to
stderr, the table to stdout, every sample to ``--json PATH``. The exit status is non-zero
only if the script breaks (a board did not start or never drew a change); a missed goal
never fails it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from board import QUIT, STAGES, Salesboard, machine, source_state, use_pipeline, words_drawn
from ptyapp import PtyApp, Timeout, visible_text

HERE = Path(__file__).resolve().parent
IDLE_GOAL_PERCENT = 5.0
"""All boards together, idle, in % of one core."""
VISIBLE_GOAL_MS = 2000.0
"""A change is drawn on every board within this, at the 95th percentile."""
NO_LIVE = (
    "import sys\n"
    "from salesboard.ui import live\n"
    "live.LiveUpdates.start = lambda self: None\n"
    "from salesboard.cli.main import main\n"
    "main(sys.argv[1:])\n"
)
"""The board with live updates off: no poll timer, no heartbeat thread (a control)."""


@dataclass(frozen=True)
class Settings:
    """How many boards, on what, for how long."""

    boards: int
    deals: int
    idle_s: float
    changes: int
    gap_s: float  # pause between two changes, so each is drawn on a quiet machine
    settle_s: float  # wait after the last board started, before the idle window
    visible_timeout_s: float
    size: tuple[int, int]
    db_url: str | None  # a PostgreSQL server's URL; None: a SQLite file
    reuse: str | None  # an already filled database: a file (copied) or a URL (edited, kept)
    controls: bool  # also measure the empty app and a board without live updates


# ------------------------------------------------------------------ the database


def fill_sqlite(sb: Salesboard, deals: int, workdir: Path) -> str:
    """A fresh SQLite file with ``deals`` demo deals (or an empty, initialised one)."""
    path = workdir / "team.db"
    if deals:
        sb.run("--db", str(path), "demo", "--deals", str(deals))
    else:
        sb.run("--db", str(path), "init")
    return str(path)


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of ``server_url``, dropped after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"sb_server_bench_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def first_prospect(sb: Salesboard, db: str) -> tuple[str, str]:
    """The id and title of the first card of Prospect: the deal every board shows."""
    _ms, out = sb.run("--db", db, "list", "--json")
    for deal in json.loads(out):
        if deal["stage_label"] == STAGES[0]:
            return str(deal["id"]), str(deal["title"])
    _ms, added = sb.run("--db", db, "add", "Watched deal", "--company", "Benchmark Ltd")
    return added.strip(), "Watched deal"


# ------------------------------------------------------------------ the processes


def cpu_ms(pid: int) -> float:
    """CPU time of every live thread of ``pid`` so far, in ms (see ``PtyApp.cpu_ms``)."""
    total = 0.0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/sched") as sched:
                for line in sched:
                    if line.startswith("se.sum_exec_runtime"):
                        total += float(line.split(":")[1])
                        break
        except OSError:  # the thread ended meanwhile
            continue
    return total


def switches(pid: int) -> int:
    """Context switches of every live thread of ``pid`` so far: about its wake-ups."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as status:
                for line in status:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` now (VmRSS), in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def output_bytes(app: PtyApp) -> int:
    """Bytes the program wrote to its terminal so far."""
    return sum(len(data) for _t, data in app.since(0))


@dataclass
class Idle:
    """One process's counters at the start of the idle window."""

    cpu_ms: float
    switches: int
    nbytes: int


def counters(app: PtyApp) -> Idle:
    """CPU, wake-ups and output of ``app`` so far."""
    pid = app.process.pid
    return Idle(cpu_ms(pid), switches(pid), output_bytes(app))


def start_boards(
    sb: Salesboard, db: str, s: Settings, stack: ExitStack
) -> tuple[list[PtyApp], list[float]]:
    """Start every board, one after another; the seconds each took to its first frame."""
    drawn = words_drawn(*STAGES, *QUIT)
    boards: list[PtyApp] = []
    starts: list[float] = []
    for n in range(s.boards):
        app = stack.enter_context(sb.board(db, s.size))  # type: ignore[arg-type]
        boards.append(app)
        starts.append(app.first_frame(drawn, 0.05, 300))
        if (n + 1) % 10 == 0 or n + 1 == s.boards:
            progress(f"{n + 1} boards running (last start {starts[-1]:.1f} s)")
    return boards, starts


def start_controls(sb: Salesboard, db: str, s: Settings, stack: ExitStack) -> dict[str, PtyApp]:
    """The empty Textual app and a board without live updates, idle beside the boards."""
    columns, rows = s.size
    floor = PtyApp(
        [sys.executable, str(HERE / "floor_app.py")], columns=columns, rows=rows, env=sb.env
    )
    quiet = PtyApp(
        [sys.executable, "-c", NO_LIVE, "--db", db], columns=columns, rows=rows, env=sb.env
    )
    controls = {"empty Textual app": floor, "board, live updates off": quiet}
    for app in controls.values():
        stack.enter_context(app)
    floor.first_frame(words_drawn(*STAGES[:1], "Quit"), 0.05, 300)
    quiet.first_frame(words_drawn(*STAGES, *QUIT), 0.05, 300)
    return controls


# ------------------------------------------------------------------ measuring


def measure_idle(apps: Sequence[PtyApp], seconds: float) -> list[dict[str, float]]:
    """Per process: CPU (ms), wake-ups and bytes written over ``seconds`` of idleness."""
    before = [counters(app) for app in apps]
    started = time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - started
    after = [counters(app) for app in apps]
    return [
        {
            "cpu_ms": a.cpu_ms - b.cpu_ms,
            "cpu_percent": (a.cpu_ms - b.cpu_ms) / (elapsed * 1000) * 100,
            "wakeups_per_s": (a.switches - b.switches) / elapsed,
            "bytes": a.nbytes - b.nbytes,
            "seconds": elapsed,
        }
        for b, a in zip(before, after, strict=True)
    ]


def server_backends(db: str) -> list[int]:
    """The PostgreSQL server processes serving ``db`` (the boards' connections), if the
    server runs on this machine; empty otherwise (or on SQLite)."""
    if not db.startswith("postgresql"):
        return []
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    try:
        with engine.connect() as connection:
            pids = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            return [int(pid) for pid in pids if os.path.exists(f"/proc/{pid}")]
    finally:
        engine.dispose()


def server_cpu_ms(pids: Sequence[int]) -> float:
    """CPU time the server processes ``pids`` used so far (those still running)."""
    total = 0.0
    for pid in pids:
        try:
            total += cpu_ms(pid)
        except OSError:
            continue
    return total


def drawn_at(app: PtyApp, mark: int, word: str) -> float | None:
    """When the chunk that completed drawing ``word`` (after ``mark``) arrived."""
    chunks = app.since(mark)
    data = b""
    for when, chunk in chunks:
        data += chunk
        if word in visible_text(data):
            return when
    return None


class Editor:
    """Makes the changes the boards must show, through the service as ``salesboard edit``
    does, in this process: the moment its commit returns is known to the millisecond (a
    CLI process would commit somewhere inside its own start-up and exit)."""

    def __init__(self, db: str) -> None:
        from salesboard.service import Pipeline
        from salesboard.store import Database

        self.database = Database.open(db)
        self.pipeline = Pipeline(self.database, actor="benchmark")

    def retitle(self, deal_id: int, title: str) -> float:
        """Commit the new title; return when the commit was done."""
        self.pipeline.edit_deal(deal_id, title=title)
        return time.perf_counter()

    def close(self) -> None:
        """Release the connection."""
        self.database.close()


def measure_change(
    editor: Editor, deal_id: int, boards: Sequence[PtyApp], s: Settings, n: int
) -> dict[str, Any]:
    """Retitle the watched deal; per board, ms from the commit to the redraw."""
    word = f"Live{n:02d}" + "".join(random.choices(string.ascii_uppercase, k=3))
    marks = [app.mark for app in boards]
    cpu_before = sum(cpu_ms(app.process.pid) for app in boards)
    started = time.perf_counter()
    committed = editor.retitle(deal_id, f"{word} watched")
    write_ms = (committed - started) * 1000
    waiting = set(range(len(boards)))
    deadline = committed + s.visible_timeout_s
    while waiting and time.perf_counter() < deadline:
        time.sleep(0.05)
        waiting = {i for i in waiting if word not in boards[i].text_since(marks[i])}
    done = time.perf_counter()
    time.sleep(0.3)  # the last redraws finish
    cpu_after = sum(cpu_ms(app.process.pid) for app in boards)
    times = []
    for i, app in enumerate(boards):
        at = drawn_at(app, marks[i], word)
        times.append(None if at is None else max(0.0, (at - committed) * 1000))
    missed = sum(1 for t in times if t is None)
    shown = [t for t in times if t is not None]
    progress(
        f"change {n + 1}: drawn on {len(shown)}/{len(boards)} boards, "
        f"p50 {percentile(shown, 50):.0f} ms, max {max(shown, default=0):.0f} ms"
    )
    return {
        "word": word,
        "write_ms": write_ms,
        "visible_ms": times,
        "missed": missed,
        "cpu_ms_all_boards": cpu_after - cpu_before,
        "waited_s": done - committed,
    }


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# ------------------------------------------------------------------ the run


def run(s: Settings, sb: Salesboard, workdir: Path) -> dict[str, Any]:
    """Fill (or reuse) the database, start the boards, measure idle and changes."""
    with ExitStack() as stack:
        if s.reuse is not None and not s.reuse.startswith("postgresql"):
            db = str(workdir / "team.db")
            shutil.copyfile(s.reuse, db)  # the file given is never changed
        elif s.reuse is not None:
            db = s.reuse
        elif s.db_url is not None:
            db = stack.enter_context(postgres_database(s.db_url))
            progress(f"filling {db} with {s.deals:,} deals")
            started = time.perf_counter()
            sb.run("--db", db, "demo", "--deals", str(s.deals)) if s.deals else sb.run(
                "--db", db, "init"
            )
            progress(f"filled in {time.perf_counter() - started:.0f} s")
        else:
            progress(f"filling a SQLite file with {s.deals:,} deals")
            db = fill_sqlite(sb, s.deals, workdir)
        deal_id, title = first_prospect(sb, db)
        progress(f"watching deal {deal_id} ({title!r}), the first card of {STAGES[0]}")

        boards, starts = start_boards(sb, db, s, stack)
        controls = start_controls(sb, db, s, stack) if s.controls else {}
        progress(f"settling {s.settle_s:.0f} s, then idle {s.idle_s:.0f} s")
        time.sleep(s.settle_s)
        load_before = os.getloadavg()
        apps = [*boards, *controls.values()]
        backends = server_backends(db)
        server_before = server_cpu_ms(backends)
        idle = measure_idle(apps, s.idle_s)
        server_idle = (server_cpu_ms(backends) - server_before) / (s.idle_s * 1000) * 100
        load_after = os.getloadavg()
        rss = [rss_kib(app.process.pid) / 1024 for app in boards]
        control_rss = {name: rss_kib(app.process.pid) / 1024 for name, app in controls.items()}
        for app in controls.values():
            app.kill()  # they would only compete with the boards from here on

        editor = Editor(db)
        stack.callback(editor.close)
        changes = []
        for n in range(s.changes):
            time.sleep(s.gap_s)
            changes.append(measure_change(editor, int(deal_id), boards, s, n))
        stack.callback(lambda: progress("closing the boards"))
    board_idle = idle[: len(boards)]
    control_idle = dict(zip(controls, idle[len(boards) :], strict=True))
    return {
        "database": "postgresql"
        if (s.db_url or (s.reuse or "").startswith("postgres"))
        else "sqlite",
        "starts_s": starts,
        "idle": board_idle,
        "controls": {name: control_idle[name] | {"rss_mb": control_rss[name]} for name in controls},
        "load_average_idle": [load_before, load_after],
        "server_connections": len(backends),
        "server_idle_cpu_percent": server_idle if backends else None,
        "rss_mb": rss,
        "changes": changes,
    }


def summary(result: dict[str, Any], s: Settings) -> dict[str, Any]:
    """The figures of the table, computed from the samples."""
    idle = result["idle"]
    seconds = statistics.median(i["seconds"] for i in idle)
    visible = [t for c in result["changes"] for t in c["visible_ms"] if t is not None]
    missed = sum(c["missed"] for c in result["changes"])
    per_board = [i["cpu_percent"] for i in idle]
    return {
        "boards": len(idle),
        "idle_seconds": seconds,
        "idle_cpu_percent_all": sum(per_board),
        "idle_cpu_percent_board_median": statistics.median(per_board),
        "idle_cpu_percent_board_max": max(per_board),
        "idle_wakeups_per_s_board_median": statistics.median(i["wakeups_per_s"] for i in idle),
        "idle_bytes_per_min_board_median": statistics.median(
            i["bytes"] / i["seconds"] * 60 for i in idle
        ),
        "rss_mb_median": statistics.median(result["rss_mb"]),
        "rss_mb_max": max(result["rss_mb"]),
        "start_s_median": statistics.median(result["starts_s"]),
        "visible_p50_ms": percentile(visible, 50),
        "visible_p95_ms": percentile(visible, 95),
        "visible_max_ms": max(visible, default=0.0),
        "visible_missed": missed,
        "change_cpu_ms_all_boards_median": statistics.median(
            c["cpu_ms_all_boards"] for c in result["changes"]
        )
        if result["changes"]
        else None,
        "write_ms_median": statistics.median(c["write_ms"] for c in result["changes"])
        if result["changes"]
        else None,
    }


def table(result: dict[str, Any], figures: dict[str, Any], s: Settings) -> str:
    """The figures against their goals, as the README shows them."""

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    n = figures["boards"]
    idle_all = figures["idle_cpu_percent_all"]
    p95 = figures["visible_p95_ms"]
    missed = figures["visible_missed"]
    lines = [
        f"{n} boards on {result['database']}, {s.deals:,} deals, "
        f"{figures['idle_seconds']:.0f} s idle, {s.changes} changes",
        "",
        f"{'figure':<48} {'value':>10}  goal",
        f"{'idle CPU, all boards (% of one core)':<48} {idle_all:>10.2f}  "
        f"< {IDLE_GOAL_PERCENT:g} % for 50: {verdict(idle_all * 50 / n < IDLE_GOAL_PERCENT)}"
        + ("" if n == 50 else f" (scaled to 50: {idle_all * 50 / n:.2f} %)"),
        f"{'idle CPU per board, median / max (%)':<48} "
        f"{figures['idle_cpu_percent_board_median']:>5.3f} / "
        f"{figures['idle_cpu_percent_board_max']:.3f}",
        f"{'idle wake-ups per board per s (median)':<48} "
        f"{figures['idle_wakeups_per_s_board_median']:>10.1f}",
        f"{'idle output per board (bytes a minute, median)':<48} "
        f"{figures['idle_bytes_per_min_board_median']:>10.0f}",
        f"{'RSS per board, median / max (MB)':<48} "
        f"{figures['rss_mb_median']:>5.0f} / {figures['rss_mb_max']:.0f}",
        f"{'start to first frame, median (s)':<48} {figures['start_s_median']:>10.2f}",
        f"{'change visible on every board, p50 (ms)':<48} {figures['visible_p50_ms']:>10.0f}",
        f"{'change visible on every board, p95 (ms)':<48} {p95:>10.0f}  "
        f"≤ {VISIBLE_GOAL_MS:.0f}: {verdict(p95 <= VISIBLE_GOAL_MS and not missed)}",
        f"{'change visible on every board, max (ms)':<48} {figures['visible_max_ms']:>10.0f}",
        f"{'boards that never drew a change':<48} {figures['visible_missed']:>10}",
    ]
    if figures["change_cpu_ms_all_boards_median"] is not None:
        lines.append(
            f"{'CPU of all boards for one change, median (ms)':<48} "
            f"{figures['change_cpu_ms_all_boards_median']:>10.0f}"
        )
        label = "the edit's write transaction, wall (ms, median)"
        lines.append(f"{label:<48} {figures['write_ms_median']:>10.0f}")
    if result.get("server_idle_cpu_percent") is not None:
        label = "idle CPU of the PostgreSQL server for them (%)"
        lines.append(f"{label:<48} {result['server_idle_cpu_percent']:>10.3f}")
        label = "server connections (all boards and controls)"
        lines.append(f"{label:<48} {result['server_connections']:>10}")
    for name, control in result["controls"].items():
        lines.append(
            f"{'idle CPU, ' + name + ' (%)':<48} {control['cpu_percent']:>10.3f}"
            f"  ({control['wakeups_per_s']:.1f} wake-ups/s, {control['rss_mb']:.0f} MB)"
        )
    return "\n".join(lines)


def progress(message: str) -> None:
    """One line of progress on stderr, with the time since the script started."""
    print(f"[{time.perf_counter() - STARTED:6.0f} s] {message}", file=sys.stderr, flush=True)


STARTED = time.perf_counter()


def parse_args(argv: Sequence[str] | None) -> tuple[Settings, Path | None]:
    """Command line to settings; ``--quick`` is the CI smoke run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boards", type=int, help="boards to start (default 50)")
    parser.add_argument("--deals", type=int, help="demo deals in the database (default 10000)")
    parser.add_argument("--idle-s", type=float, help="seconds the boards stay idle (default 60)")
    parser.add_argument("--changes", type=int, help="CLI edits to time (default 5)")
    parser.add_argument("--gap-s", type=float, default=4.0, help="pause before each change")
    parser.add_argument("--settle-s", type=float, help="pause before the idle window (20)")
    parser.add_argument("--timeout-s", type=float, default=30.0, help="wait for a change")
    parser.add_argument("--size", default="120x36", help="terminal COLUMNSxROWS")
    parser.add_argument(
        "--db", metavar="URL", help="a PostgreSQL server URL: a new database is made there"
    )
    parser.add_argument(
        "--reuse",
        metavar="PATH_OR_URL",
        help="an already filled database: a SQLite file is copied first, a URL is edited",
    )
    parser.add_argument("--no-controls", action="store_true", help="skip the control apps")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write every sample here")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 5 boards, 200 deals, 5 s idle"
    )
    args = parser.parse_args(argv)
    if args.db is not None and not args.db.startswith("postgresql"):
        parser.error("--db takes a PostgreSQL URL (postgresql+psycopg://…); SQLite is the default")
    if args.reuse and not args.reuse.startswith("postgresql") and not Path(args.reuse).is_file():
        parser.error(f"--reuse {args.reuse}: no such file")
    quick = args.quick

    def pick(value: Any, normal: Any, smoke: Any) -> Any:
        return value if value is not None else (smoke if quick else normal)

    try:
        columns, rows = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size {args.size!r}: expected COLUMNSxROWS, e.g. 120x36")
    settings = Settings(
        boards=pick(args.boards, 50, 5),
        deals=pick(args.deals, 10_000, 200),
        idle_s=pick(args.idle_s, 60.0, 5.0),
        changes=pick(args.changes, 5, 2),
        gap_s=1.0 if quick else args.gap_s,
        settle_s=pick(args.settle_s, 20.0, 2.0),
        visible_timeout_s=args.timeout_s,
        size=(columns, rows),
        db_url=args.db,
        reuse=args.reuse,
        controls=not args.no_controls,
    )
    if settings.boards < 1 or settings.idle_s <= 0 or settings.changes < 0:
        parser.error("--boards must be at least 1, --idle-s above 0, --changes 0 or more")
    return settings, args.json


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the table, optionally write JSON; 0 unless the run broke."""
    settings, json_path = parse_args(argv)
    use_pipeline(None)
    sb = Salesboard()
    info: dict[str, Any] = {
        "machine": machine(),
        "source": source_state(),
        "settings": asdict(settings),
    }
    with tempfile.TemporaryDirectory(prefix="salesboard-server-") as path:
        workdir = Path(path)
        sb.env["XDG_CONFIG_HOME"] = str(workdir / "config")  # never the user's settings
        try:
            result = run(settings, sb, workdir)
        except (Timeout, RuntimeError) as error:
            print(f"server.py: {error}", file=sys.stderr)
            return 1
    info["machine"]["load_average_end"] = os.getloadavg()
    figures = summary(result, settings)
    print(table(result, figures, settings))
    load = info["machine"]
    print(
        f"\nload average {load['load_average']} at start, "
        f"{result['load_average_idle']} around the idle window, "
        f"{load['load_average_end']} at end; {load['cpus']} CPUs"
    )
    if json_path is not None:
        json_path.write_text(
            json.dumps(info | {"result": result, "figures": figures}, indent=1, default=str)
        )
    return 0 if not figures["visible_missed"] else 1


if __name__ == "__main__":
    sys.exit(main())
