"""An import on the SQLite file a deployment uses does not lock other writers out.

``make run`` serves the site from a SQLite file. While ``import_document`` writes a large
article, people keep logging in, and a login writes (the session, ``last_login``). With
SQLite's default deferred transactions and no busy timeout such a write failed at once with
"database is locked" and the login page answered 500. The settings open every write
transaction with ``BEGIN IMMEDIATE`` and wait up to 20 seconds for the lock
(``archive_site/settings/base.py``), so here a second process writes as fast as it can
for the whole length of a real import into the same file, and not one write may fail.

The suite's own SQLite database lives in memory, where none of this can be seen, so this
test builds a file database of its own in separate processes; it is skipped on
PostgreSQL, whose row locks the concurrency tests cover.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from bench import corpus

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the file-database behaviour of SQLite"
)

# Logs the user in and out through the real login view, again and again, until told to
# stop; prints what happened to each attempt as JSON.
WRITER = """
import json, os, sys, time
import django
django.setup()
from django.test import Client
ready, stop = sys.argv[1], sys.argv[2]
client = Client(HTTP_HOST="127.0.0.1")
done, failed = [], []
open(ready, "w").close()
while not os.path.exists(stop):
    started = time.time()
    try:
        response = client.post("/admin/login/", {"username": "writer", "password": "pw-12345"})
        if response.status_code != 302:
            failed.append(f"login answered {response.status_code}")
        client.logout()
        done.append((started, time.time()))
    except Exception as error:
        failed.append(repr(error))
print(json.dumps({"done": done, "failed": failed}))
"""


def _env(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "archive_site.settings.dev",
        "PYTHONPATH": str(ROOT),
    }


def _manage(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_logins_keep_working_while_a_large_article_is_imported(tmp_path):
    env = _env(tmp_path / "db.sqlite3")
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    _manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_user('writer', password='pw-12345', is_staff=True); "
        "User.objects.create_user('importer')",
    )
    article = tmp_path / "large-article.txt"
    article.write_text(corpus.generate(30), encoding="utf-8")
    ready, stop = tmp_path / "ready", tmp_path / "stop"

    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(ready), str(stop)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not ready.exists():
            assert writer.poll() is None, writer.stderr.read()
            time.sleep(0.05)
        import_started = time.time()
        imported = subprocess.run(
            [sys.executable, "manage.py", "import_document", "--user", "importer", str(article)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        import_ended = time.time()
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)

    assert imported.returncode == 0, imported.stderr
    assert "imported" in imported.stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert report["failed"] == [], err
    # The writer really wrote while the import ran, not only before or after it: logins
    # overlapping the import's run (each one hashes a password, so it takes a while).
    during = [s for s, e in report["done"] if s < import_ended and e > import_started]
    assert len(during) >= 3, (len(report["done"]), import_ended - import_started)
