"""Load benchmark: the public pages under 20 concurrent readers, cached and uncached.

The issue's goal is MediaWiki's: a cached article in ≤ 50 ms at the median and ≤ 200 ms at
the 99th percentile with 20 concurrent clients, and no errors. The site runs as in
production (``archive_site.settings.prod``, gunicorn with 2 sync workers, whitenoise) on the
benchmark database with the seed imported; wrk loads it over loopback. Each page is
measured with the render cache on (local memory per worker, and Redis when one answers on
127.0.0.1:6379) and off. The floor is a static file of exactly the article's size served by
the same gunicorn through whitenoise: what the same server and network path cost with no
Django view at all.

Latency here includes queueing: 20 clients share 2 workers on a 2-core machine that also
runs wrk, so p50 ≈ 20 / (requests per second) once the server is saturated.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from archive import importer, workflow
from archive.models import Claim

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "soviet_war_crimes.txt"
CONNECTIONS = 20
WORKERS = 2
DURATION = int(os.environ.get("BENCH_LOAD_SECONDS", "10"))
WARMUP = 2
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
P50_GOAL_MS, P99_GOAL_MS = 50, 200


@dataclass
class Result:
    page: str
    mode: str
    size: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def run() -> str:
    if shutil.which("wrk") is None:
        return "## Load\n\nwrk is not installed (`apt-get install wrk`): not measured."
    document = _seed()
    claim = Claim.objects.filter(section__document=document, citations__isnull=False).first()
    paths = {
        "article": reverse("public:document", args=[document.slug]),
        "claim": reverse("public:claim", args=[claim.pk]),
        "JSON": reverse("public:document_json", args=[document.slug]),
    }
    load_before = os.getloadavg()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="archive-load-") as static_root:
        floor_path = _collect_static(Path(static_root), _article_size(paths["article"]))
        modes = [("cached, local memory", {"ARCHIVE_RENDER_CACHE": "1"})]
        if _redis_answers(REDIS):
            modes.append(("cached, Redis", {"ARCHIVE_RENDER_CACHE": "1", "REDIS_URL": REDIS}))
        modes.append(("uncached", {"ARCHIVE_RENDER_CACHE": "0"}))
        for mode, env in modes:
            if "REDIS_URL" in env:
                _flush_redis(env["REDIS_URL"])
            with _gunicorn(static_root, env) as base:
                for page, path in paths.items():
                    print(f"load: {page}, {mode}", file=sys.stderr)
                    results.append(_measure(base, page, mode, path, cached=env != modes[-1][1]))
                if mode == modes[0][0]:
                    print("load: static floor", file=sys.stderr)
                    results.append(_measure(base, "static file", "floor", floor_path, None))
    return _markdown(results, load_before, os.getloadavg())


def _seed():
    source = importer.read_source_file(SEED)
    parsed = importer.parse(source.text, source.name)
    (outcome,) = workflow.import_documents(files=[(source, parsed)])
    return outcome.document


def _article_size(path: str) -> int:
    """The article's size as the server will send it, rendered here on the same data."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    response = Client().get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return len(response.content)


def _collect_static(static_root: Path, size: int) -> str:
    """collectstatic as in production, plus the floor: a file of the article's size."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=_server_env(str(static_root), {}),
        check=True,
    )
    floor = static_root / "bench" / "floor.html"
    floor.parent.mkdir()
    # Text of the page's kind, so nothing on the way treats it differently.
    line = b"<p>" + b"x" * 95 + b"</p>\n"
    floor.write_bytes((line * (size // len(line) + 1))[:size])
    return "/" + settings.STATIC_URL.strip("/") + "/bench/floor.html"


def _database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"


def _server_env(static_root: str, extra: dict) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "ARCHIVE_RENDER_CACHE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "archive_site.settings.prod",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: no redirect to HTTPS.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": _database_url(),
            "DJANGO_STATIC_ROOT": static_root,
            **extra,
        }
    )
    return env


class _gunicorn:
    """gunicorn as `make serve` runs it, on a free loopback port; stopped on exit."""

    def __init__(self, static_root: str, extra: dict):
        self.env = _server_env(static_root, extra)

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "archive_site.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                return base
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited at start-up") from None
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 30 s")

    def __exit__(self, *exc_info) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _measure(base: str, page: str, mode: str, path: str, cached: bool | None) -> Result:
    url = base + path
    # Check the page first: right status, and from the cache exactly when it should be.
    headers = set()
    for _ in range(4 * WORKERS):  # each worker renders (and caches) it once, then hits
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read()
            headers.add(response.headers.get("X-Render-Cache"))
    if cached is not None and ("hit" in headers) != cached:
        raise RuntimeError(f"{url}: X-Render-Cache was {headers} in mode {mode!r}")
    _wrk(url, WARMUP)
    output = _wrk(url, DURATION)
    return Result(page, mode, len(body), *_parse_wrk(output))


def _wrk(url: str, seconds: int) -> str:
    return subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _parse_wrk(output: str) -> tuple[float, float, float, int, int]:
    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in match.groups())
    return rps, ms("50%"), ms("99%"), errors, requests


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --------------------------------------------------------------------------- report


def _markdown(results: list[Result], load_before, load_after) -> str:
    floor = next(r for r in results if r.mode == "floor")
    rows = [
        "| page | render cache | body KiB | requests/s | p50 ms | p99 ms | errors "
        "| p50 / floor p50 | goal (cached article: p50 ≤ 50, p99 ≤ 200, 0 errors) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        goal = "—"
        if r.page == "article" and r.mode.startswith("cached"):
            met = r.p50_ms <= P50_GOAL_MS and r.p99_ms <= P99_GOAL_MS and r.errors == 0
            goal = "met" if met else "**not met**"
        ratio = "1.00 (floor)" if r is floor else f"{r.p50_ms / floor.p50_ms:.2f}"
        rows.append(
            f"| {r.page} | {r.mode} | {r.size / 1024:,.1f} | {r.requests_per_second:,.0f} "
            f"| {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | {ratio} | {goal} |"
        )
    loads = " / ".join(f"{value:.2f}" for value in load_before)
    loads_after = " / ".join(f"{value:.2f}" for value in load_after)
    return "\n".join(
        [
            "## Load",
            "",
            f"The seed article served by gunicorn ({WORKERS} sync workers, production "
            f"settings, whitenoise) to wrk on loopback: {CONNECTIONS} connections, 2 threads, "
            f"{DURATION} s per row after a {WARMUP} s warm-up. *Cached*: the render cache "
            "serves the finished page (local memory in each worker, or one shared Redis); "
            "*uncached*: every request builds the page from the database. *Floor*: a static "
            "file of the article's size, served by the same gunicorn through whitenoise. "
            "Errors are non-2xx responses plus socket errors.",
            "",
            *rows,
            "",
            f"Load average (1 / 5 / 15 min) before: {loads}; after: {loads_after}. The "
            "machine runs wrk and the server on the same cores, so other work on it shows "
            "in these figures.",
        ]
    )
