"""The render cache: finished public pages kept by the document version they show.

Like MediaWiki's parser cache, a page is rendered once per change of its document and then
served from the cache. The key holds the document's version (its newest history rows, see
``selectors.document_version``), so an approval makes every old entry unreachable and
nothing needs deleting. Working the version out reads all of the document's history, so
it is itself cached under the archive's generation (one cheap query per request, see
``selectors.document_for_page``), and so is each page: while nothing anywhere changes, a
request costs that one query and one cache read; after a change elsewhere, documents it did
not touch keep their pages (found again by version, then kept under the new generation).
It all goes through Django's cache framework, so several app servers share one Redis when
``REDIS_URL`` is set (local memory otherwise).
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

from . import selectors

# A response header that says whether the page came from the cache: for tests and the
# load benchmark, and harmless to readers.
HEADER = "X-Render-Cache"


def cached_response(kind: str, document, build: Callable[[], HttpResponse]) -> HttpResponse:
    """The cached page ``kind`` of ``document`` as it is now, else ``build()`` and keep it.

    ``document`` comes from ``selectors.document_for_page`` (it carries ``generation``).
    Only complete 200 responses are kept.
    """
    if not settings.ARCHIVE_RENDER_CACHE:
        return build()
    cache = caches[settings.ARCHIVE_RENDER_CACHE_ALIAS]
    timeout = settings.ARCHIVE_RENDER_CACHE_SECONDS
    moment = f"{document.pk}:{document.created_at.timestamp()}:{document.generation}"
    # While nothing changes anywhere, one read by generation finds the page.
    by_generation = f"page:{kind}:{moment}"
    hit = cache.get(by_generation)
    if hit is None:
        # Something changed somewhere: if not in this document, its page is still good.
        version_key = f"version:{moment}"
        version = cache.get(version_key)
        if version is None:
            version = selectors.document_version(document)
            cache.set(version_key, version, timeout)
        by_version = f"page:{kind}:{version}"
        hit = cache.get(by_version)
        if hit is not None:
            cache.set(by_generation, hit, timeout)
    if hit is not None:
        content, content_type = hit
        response = HttpResponse(content, content_type=content_type)
        response[HEADER] = "hit"
        return response
    response = build()
    if response.status_code == 200 and not response.streaming:
        entry = (response.content, response["Content-Type"])
        cache.set_many({by_version: entry, by_generation: entry}, timeout)
        response[HEADER] = "miss"
    return response
