"""Error handlers: a refused action says why; a database that is only busy gets a 503.

``permission_denied`` (``handler403``): the workflow refuses a move with a sentence ("You
proposed #6; someone else must approve it (four-eyes rule)."). Django's default page drops
it and shows a bare "403 Forbidden"; here it is the page's message, in the admin's layout
under ``/admin/`` and the public site's elsewhere.

``server_error`` (``handler500``):

SQLite lets one writer at a time. Connections wait for the lock (the busy ``timeout`` in
``archive_site/settings/base.py``), so a login or a proposal during an import normally
just takes longer; but a write transaction longer than that timeout (a very large import)
still makes the waiting request fail with ``OperationalError: database is locked``.
Nothing is wrong with the request or the site, so the answer is "503 Service Unavailable,
retry after a few seconds", in the site's own layout, not the 500 page.

It is Django's ``handler500`` (``archive_site/urls.py``) rather than a middleware, because
the error also comes from middleware (the session is saved after the view), and every
exception the request raises reaches this handler. With ``DEBUG`` on, Django shows its
technical error page instead, as for any error.
"""

from __future__ import annotations

import sqlite3
import sys

from django.contrib import admin
from django.db import OperationalError
from django.http import HttpResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

RETRY_AFTER_SECONDS = 10
_BUSY = ("database is locked", "database table is locked")


def is_database_busy(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is SQLite saying another writer holds the lock."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (OperationalError, sqlite3.OperationalError)) and any(
            phrase in str(error) for phrase in _BUSY
        ):
            return True
        error = error.__cause__ or error.__context__
    return False


def database_busy(request) -> HttpResponse:
    """The 503 page, rendered without the request: nothing in it needs the database."""
    try:
        body = loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
    except Exception:  # the page must not fail in its turn; the plain text says the same
        body = "The archive is busy. Please try again in a few seconds."
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def permission_denied(request, exception=None, template_name: str = "403.html"):
    """``handler403``: the refusal's own sentence, with status 403."""
    message = str(exception or "") or "You are not allowed to do this."
    if not request.path.startswith("/admin/"):
        return TemplateResponse(request, template_name, {"message": message}, status=403)
    # Back to the page the refused form was on, if it was this site's own.
    referer = request.META.get("HTTP_REFERER", "")
    back = referer if url_has_allowed_host_and_scheme(referer, {request.get_host()}) else ""
    context = {**admin.site.each_context(request), "message": message, "back": back}
    return TemplateResponse(request, "admin/403.html", context, status=403)


def server_error(request, template_name: str = defaults.ERROR_500_TEMPLATE_NAME):
    """``handler500``: called while the request's exception is being handled."""
    if is_database_busy(sys.exc_info()[1]):
        return database_busy(request)
    return defaults.server_error(request, template_name)
