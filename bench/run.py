"""``make bench``: run every benchmark section on throwaway databases, write bench/RESULTS.md.

docs/design.md measures performance here, never in timed tests: each figure is a ratio against a
floor measured in the same run, written down with the machine and the date so runs can be
compared. The benchmark never touches a real database: it creates its own (a temporary
SQLite file, and a separate PostgreSQL database when PostgreSQL is reachable), migrates it
and drops it afterwards.

Each database runs in a child process of its own (Django binds one database at start-up);
each entry of ``SECTIONS`` names a module whose ``run()`` measures one thing against the
benchmark database and returns a Markdown section.

    .venv/bin/python bench/run.py                       # SQLite, then PostgreSQL if reachable
    .venv/bin/python bench/run.py --database sqlite:///x  # one database, Markdown to stdout
    BENCH_POSTGRES_URL=postgres://user@host:5432/db .venv/bin/python bench/run.py
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTIONS = ["bench.import_bench", "bench.approve_bench", "bench.export_bench", "bench.load_bench"]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/archive"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="benchmark only this DATABASE_URL; print Markdown")
    args = parser.parse_args()
    if args.database:
        print(run_on(args.database), end="")
        return
    parts = [machine(), *corpus_sections()]
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as directory:
        targets = [f"sqlite:///{directory}/bench.sqlite3"]
        postgres = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
        if _reachable(postgres):
            targets.append(postgres)
        else:
            parts.append(f"PostgreSQL at `{postgres}` was unreachable: not measured.")
        for url in targets:
            child = subprocess.run(
                [sys.executable, __file__, "--database", url],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
            parts.append(child.stdout.strip())
    text = "\n\n".join(parts) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text, end="")


def corpus_sections() -> list[str]:
    """What needs no database: the splitter's measurement and the corpus fidelity table."""
    sys.path.insert(0, str(ROOT))
    parse = importlib.import_module("bench.parse_bench").run()
    merging = importlib.import_module("bench.merge_bench").run()
    fidelity = importlib.import_module("bench.fidelity")
    return [
        parse,
        merging,
        "## Import fidelity on the labelled corpus (`tests/corpus/`)\n\n"
        + "\n\n".join(fidelity.__doc__.split("\n\n")[1:3])
        + "\n\n"
        + fidelity.table(),
    ]


def run_on(url: str) -> str:
    """Every section against one database, as Markdown under a heading naming it."""
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings.test")
    import django

    django.setup()
    with benchmark_database():
        parts = [database_heading()]
        parts += [importlib.import_module(name).run() for name in SECTIONS]
    return "\n\n".join(parts) + "\n"


def _reachable(url: str) -> bool:
    try:
        import psycopg

        base = url.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


@contextmanager
def benchmark_database() -> Iterator[None]:
    """Point the default connection at a fresh, migrated database and drop it afterwards.

    The name is unique to this process so a benchmark never clobbers a test database that
    someone else's test run is using at the same time.
    """
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as directory:
        if connection.vendor == "sqlite":
            # A file, not SQLite's in-memory test default: journal and page writes are part
            # of what an import costs.
            test_name = str(Path(directory) / "bench.sqlite3")
        else:
            test_name = f"bench_{old_name}_{os.getpid()}"
        connection.settings_dict["TEST"]["NAME"] = test_name
        connection.creation.create_test_db(verbosity=0, serialize=False, keepdb=False)
        try:
            yield
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


def machine() -> str:
    """Where and when the figures were measured."""
    import django

    libraries = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("django-simple-history", "django-reversion", "sentencex")
    )
    rows = [
        ("Date (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M")),
        ("CPU", _cpu_model()),
        ("Cores", str(os.cpu_count())),
        ("RAM", _memory()),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("Libraries", libraries),
    ]
    header = ["# Benchmark results", "", "Written by `make bench` (`bench/run.py`).", ""]
    table = [f"| {name} | {value} |" for name, value in rows]
    return "\n".join([*header, "| | |", "| --- | --- |", *table])


def database_heading() -> str:
    from django.db import connection

    version = ".".join(str(part) for part in connection.get_database_version())
    database = f"{connection.display_name} {version}"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[cursor.fetchone()[0]]
        database += f" (file, journal_mode={journal}, synchronous={synchronous})"
    return f"# {database}"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
