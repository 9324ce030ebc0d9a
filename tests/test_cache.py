"""The render cache: pages come from it until the document changes, then are rebuilt.

These run against local memory by default and against Redis when ``REDIS_URL`` is set;
.ci/run runs this module a second time with ``REDIS_URL=redis://127.0.0.1:6379/15``, so
both back ends are tested on every CI run.
"""

import os

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import ChangeKind, Claim
from archive.render_cache import HEADER

from .conftest import import_text
from .public_helpers import approve

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL", "")


def cached_urls(document):
    claim = Claim.objects.filter(section__document=document).order_by("pk").first()
    return [
        reverse("public:document", args=[document.slug]),
        reverse("public:claim", args=[claim.pk]),
        reverse("public:document_json", args=[document.slug]),
    ]


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_backend_is_redis_when_redis_url_is_set_and_local_memory_otherwise():
    backend = settings.CACHES[settings.ARCHIVE_RENDER_CACHE_ALIAS]["BACKEND"]
    if REDIS_URL:
        assert backend == "django.core.cache.backends.redis.RedisCache"
        assert settings.CACHES["default"]["LOCATION"] == REDIS_URL
    else:
        assert backend == "django.core.cache.backends.locmem.LocMemCache"


def test_the_second_request_is_served_from_the_cache_with_one_query(client, harbour):
    for url in cached_urls(harbour):
        first = fetch(client, url)
        assert first[HEADER] == "miss", url
        with CaptureQueriesContext(connection) as queries:
            second = fetch(client, url)
        assert second[HEADER] == "hit", url
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]
        assert len(queries.captured_queries) == 1, url  # the document and its version


def test_an_approval_invalidates_every_cached_page_of_its_document(
    client, harbour, editor, reviewer
):
    urls = cached_urls(harbour)
    for url in urls:
        fetch(client, url)
    claim = Claim.objects.get(text__startswith="Newspapers called it")
    approve(
        editor,
        reviewer,
        harbour,
        [
            {
                "kind": ChangeKind.EDIT_CLAIM,
                "claim": claim,
                "payload": {"text": "Papers said rising."},
            }
        ],
    )
    for url in urls:
        response = fetch(client, url)
        assert response[HEADER] == "miss", url
    assert "Papers said rising." in fetch(client, urls[0]).content.decode()
    assert "Papers said rising." in fetch(client, urls[2]).content.decode()
    assert "Newspapers called it a revolt." not in fetch(client, urls[0]).content.decode()


def test_a_change_outside_the_workflow_invalidates_too(client, harbour):
    # An archivist's direct edit in the admin saves the row, which writes a history row.
    url = cached_urls(harbour)[0]
    fetch(client, url)
    claim = Claim.objects.get(text__startswith="Newspapers called it")
    claim.text = "Edited by an archivist."
    claim.save()
    response = fetch(client, url)
    assert response[HEADER] == "miss"
    assert "Edited by an archivist." in response.content.decode()


def test_an_approval_on_another_document_leaves_this_one_cached(client, harbour, editor, reviewer):
    other = import_text("Other\n\nA claim about something else.[1]\n", "other.txt").document
    urls = cached_urls(harbour)
    for url in urls:
        fetch(client, url)
    claim = Claim.objects.get(section__document=other)
    approve(
        editor,
        reviewer,
        other,
        [{"kind": ChangeKind.EDIT_CLAIM, "claim": claim, "payload": {"text": "Changed."}}],
    )
    for url in urls:
        assert fetch(client, url)[HEADER] == "hit", url


def test_pages_of_a_date_and_error_pages_are_not_cached(client, harbour):
    url = reverse("public:document", args=[harbour.slug])
    for params in ({"as_of": harbour.created_at.isoformat()}, {"as_of": "nonsense"}):
        for _ in range(2):
            assert HEADER not in client.get(url, params)


def test_a_removed_claim_is_not_served_from_the_cache(client, harbour, editor, reviewer):
    claim = Claim.objects.get(text__startswith="Newspapers called it")
    url = reverse("public:claim", args=[claim.pk])
    assert fetch(client, url)[HEADER] == "miss"
    approve(editor, reviewer, harbour, [{"kind": ChangeKind.REMOVE_CLAIM, "claim": claim}])
    response = client.get(url)
    assert response.status_code == 410
    assert HEADER not in response


def test_the_cache_can_be_switched_off(client, harbour, settings):
    settings.ARCHIVE_RENDER_CACHE = False
    for url in cached_urls(harbour):
        for _ in range(2):
            assert HEADER not in fetch(client, url), url


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")
def test_another_app_server_sees_the_page_this_one_rendered(client, harbour):
    from django.core.cache.backends.redis import RedisCache

    url = cached_urls(harbour)[0]
    rendered = fetch(client, url)
    cache = caches[settings.ARCHIVE_RENDER_CACHE_ALIAS]
    # A fresh client of the same Redis, as a second gunicorn on another machine would have.
    other_server = RedisCache(REDIS_URL, {"KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"]})
    keys = [k for k in cache._cache.get_client().keys("*") if b":page:document:" in k]
    assert keys  # kept by version and by generation
    for key in keys:
        content, _ = other_server.get(key.decode().split(":", 2)[2])  # less prefix and version
        assert content == rendered.content
