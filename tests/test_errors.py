"""A database that is only busy gets a 503 to retry, not a 500 (archive/errors.py).

SQLite allows one writer; a request that waits past the busy timeout fails with
``OperationalError: database is locked``. The site's ``handler500`` answers that with the
503 page and ``Retry-After``; every other error stays a 500 and is logged as one.
"""

import logging
import sqlite3
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.db import OperationalError
from django.test import AsyncClient, Client

from archive import errors

pytestmark = pytest.mark.django_db

BUSY = "database is locked"


@pytest.fixture
def visitor():
    """A reader's browser: errors come back as the pages a reader would get."""
    return Client(raise_request_exception=False)


def index_raising(error):
    """The front page's one read fails with ``error``."""
    return mock.patch("archive.selectors.documents_overview", side_effect=error)


@pytest.mark.parametrize("message", ["database is locked", "database table is locked"])
def test_a_locked_database_is_a_503_with_retry_after_in_the_sites_layout(visitor, message):
    with index_raising(OperationalError(message)):
        response = visitor.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS) == "10"
    assert [t.name for t in response.templates][:2] == ["503.html", "base.html"]
    page = response.content.decode()
    assert "<h1>The archive is busy</h1>" in page
    assert "please try again in 10 seconds" in page
    assert '<a class="site-name" href="/">Provenance archive</a>' in page
    # Still a public page: its security headers are sent.
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_the_lock_as_the_database_driver_raises_it_is_a_503(visitor):
    # Django raises its own OperationalError from sqlite3's; either one is recognised, also
    # when some other error was raised while handling it.
    try:
        try:
            raise sqlite3.OperationalError(BUSY)
        except sqlite3.OperationalError as driver_error:
            raise OperationalError(BUSY) from driver_error
    except OperationalError as django_error:
        wrapped = RuntimeError("the page could not be rendered")
        wrapped.__context__ = django_error

    for error in (sqlite3.OperationalError(BUSY), wrapped):
        with index_raising(error):
            response = visitor.get("/")
        assert response.status_code == 503, error
        assert response["Retry-After"] == "10"


def test_a_locked_database_is_a_503_under_asgi_too():
    # archive_site/asgi.py: there the handler runs in a worker thread of its own.
    visitor = AsyncClient(raise_request_exception=False)
    with index_raising(OperationalError(BUSY)):
        response = async_to_sync(visitor.get)("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"


def test_a_lock_while_the_session_is_saved_after_the_view_is_a_503(visitor):
    # Middleware raises it too (the session is written after the view): hence a handler.
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_response",
        side_effect=OperationalError(BUSY),
    ):
        response = visitor.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"


def test_the_503_page_falls_back_to_plain_text_when_it_cannot_be_rendered(visitor):
    with (
        index_raising(OperationalError(BUSY)),
        mock.patch("archive.errors.loader.render_to_string", side_effect=RuntimeError),
    ):
        response = visitor.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.content == b"The archive is busy. Please try again in a few seconds."


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("no such table: archive_document"),
        OperationalError("disk I/O error"),
        OperationalError("database is full"),
        RuntimeError("database is locked"),  # the words alone do not make it the database's
    ],
    ids=["no such table", "disk I/O", "disk full", "not a database error"],
)
def test_any_other_error_is_a_500_and_is_logged(visitor, error, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"), index_raising(error):
        response = visitor.get("/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert [t.name for t in response.templates] == ["500.html"]
    assert "Something went wrong" in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Internal Server Error: /"
    assert record.exc_info[1] is error


def test_any_other_error_reaches_whoever_handles_the_request(client):
    # The test client (and so any caller that propagates exceptions) sees the error itself.
    error = OperationalError("no such table: archive_document")
    with index_raising(error), pytest.raises(OperationalError) as raised:
        client.get("/")
    assert raised.value is error


def test_a_busy_database_is_logged_too_so_lock_timeouts_are_seen(visitor, caplog):
    with (
        caplog.at_level(logging.ERROR, logger="django.request"),
        index_raising(OperationalError(BUSY)),
    ):
        visitor.get("/")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Service Unavailable: /"


def test_is_database_busy_follows_the_chain_and_ends_on_a_cycle():
    busy = OperationalError(BUSY)
    outer = ValueError("outer")
    outer.__cause__ = busy
    assert errors.is_database_busy(outer)
    assert not errors.is_database_busy(None)
    assert not errors.is_database_busy(OperationalError("no such column: x"))

    one, other = ValueError("one"), ValueError("other")
    one.__context__, other.__context__ = other, one
    assert not errors.is_database_busy(one)
