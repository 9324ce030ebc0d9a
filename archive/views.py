"""The public site's views: read the request, call a selector, render (through the cache).

Readers see only what approvals and imports wrote. Every page works without JavaScript;
user-written text reaches templates and JSON only as data, so it is always escaped. A date
a reader types (``as_of``, ``from``, ``to``) that is malformed or in the future gets a page
saying so with status 400, never a server error.
"""

import json
import re
from datetime import UTC, date, datetime, time, timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import Document
from .render_cache import cached_response

MAX_QUERY = 200
CHANGES_DEFAULT_DAYS = 30


# --------------------------------------------------------------------------- dates


class BadMoment(ValueError):
    """A date from the query string that cannot be used; the message is for the reader."""


# "+02:00" arrives as " 02:00" when a reader types it into a URL unencoded.
_SPACED_OFFSET = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


def parse_moment(
    text: str, *, now: datetime, name: str = "as_of", day_starts: bool = False
) -> datetime:
    """A reader's ISO date or date-time as an aware UTC datetime, not after ``now``.

    A bare date means the end of that day (UTC): "as of 2025-03-01" is the article as it
    stood when that day was over, or now if the day is today. For the start of a range
    (``day_starts``) it means the day's first moment, so "from 2025-03-01" includes it.
    """
    text = text.strip()
    example = "an ISO date such as 2025-03-01, or a date and time such as 2025-03-01T14:30"
    if len(text) > 40:
        raise BadMoment(f"The {name} value is too long to be a date; use {example}.")
    text = _SPACED_OFFSET.sub(r"\1+\2", text)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            if day > now.date():
                raise BadMoment(f"{day.isoformat()} is in the future; {_future}")
            return min(datetime.combine(day, time.min if day_starts else time.max, tzinfo=UTC), now)
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        if isinstance(error, BadMoment):
            raise
        raise BadMoment(
            f"“{text}” is not a date the archive understands ({name}); use {example} "
            "(UTC unless you add an offset like +02:00)."
        ) from None
    if moment > now:
        raise BadMoment(f"{moment:%Y-%m-%d %H:%M:%S} UTC is in the future; {_future}")
    return moment


_future = "the archive can only show the article as it has already stood."


def _date_error(request, message: str, document=None, status: int = 400):
    return render(
        request,
        "archive/date_error.html",
        {"message": message, "document": document},
        status=status,
    )


def _not_yet(document, since) -> str:
    return (
        f"“{document.title}” was not yet in the archive then: it was first imported "
        f"on {since:%Y-%m-%d at %H:%M} UTC."
    )


# --------------------------------------------------------------------------- pages


def index(request):
    return render(request, "archive/index.html", {"documents": selectors.documents_overview()})


def document(request, slug: str):
    as_of = request.GET.get("as_of", "").strip()
    if as_of:
        return _document_as_of(request, slug, as_of)
    current = selectors.document_for_page(slug)
    if current is None:
        raise Http404("No document with that name.")
    return cached_response(
        "document",
        current,
        lambda: render(
            request,
            "archive/document.html",
            {"article": selectors.current_article(current), "document": current},
        ),
    )


def _document_as_of(request, slug: str, as_of: str):
    document = get_object_or_404(Document, slug=slug)
    try:
        when = parse_moment(as_of, now=timezone.now())
        article = selectors.article_as_of(document, when)
    except BadMoment as error:
        return _date_error(request, str(error), document)
    except selectors.NotYetArchived as error:
        return _date_error(request, _not_yet(document, error.since), document, status=404)
    return render(request, "archive/document.html", {"article": article, "document": document})


def changes(request, slug: str):
    document = get_object_or_404(Document, slug=slug)
    now = timezone.now()
    try:
        until = parse_moment(request.GET.get("to", "") or now.isoformat(), now=now, name="to")
        since_text = request.GET.get("from", "").strip()
        since = (
            parse_moment(since_text, now=now, name="from", day_starts=True)
            if since_text
            else _days_before(until, CHANGES_DEFAULT_DAYS)
        )
    except BadMoment as error:
        return _date_error(request, str(error), document)
    if since > until:
        return _date_error(
            request,
            f"The start ({since:%Y-%m-%d %H:%M}) is after the end ({until:%Y-%m-%d %H:%M}); "
            "swap them to see what changed in between.",
            document,
        )
    if until < document.created_at:
        return _date_error(request, _not_yet(document, document.created_at), document, 404)
    # Before its import the document did not exist: count changes from the import on, so
    # the whole text is not listed as "added".
    from_import = since < document.created_at
    since = max(since, document.created_at)
    context = selectors.document_changes(document, since, until)
    context.update(
        {"document": document, "since": since, "until": until, "from_import": from_import}
    )
    return render(request, "archive/changes.html", context)


def _days_before(moment, days: int):
    """``days`` before ``moment``, or the earliest moment there is (``?to=0001-01-05``)."""
    try:
        return moment - timedelta(days=days)
    except OverflowError:
        return datetime.min.replace(tzinfo=moment.tzinfo)


def claim(request, claim_id: int):
    document = selectors.claim_document_for_page(claim_id)

    def build():
        page = selectors.claim_page(claim_id)
        if page is None:
            raise Http404("No claim with that number.")
        return render(request, "archive/claim.html", page, status=200 if page["live"] else 410)

    if document is None:  # removed (shown from its history) or never existed
        return build()
    return cached_response(f"claim-{claim_id}", document, build)


def source(request, source_id: int):
    page = selectors.source_page(source_id)
    if page is None:
        raise Http404("No source with that number.")
    return render(request, "archive/source.html", page)


def search(request):
    # Control characters mean nothing in a search, and PostgreSQL refuses NUL outright.
    query = " ".join(
        "".join(c if c.isprintable() else " " for c in request.GET.get("q", "")).split()
    )
    context = {"query": query, "results": [], "total": 0, "limit": selectors.SEARCH_LIMIT}
    if len(query) > MAX_QUERY:
        context["error"] = (
            f"Search for at most {MAX_QUERY} characters (that was {len(query)}); "
            "a few distinctive words work best."
        )
        return render(request, "archive/search.html", context, status=400)
    if query:
        context["results"], context["total"] = selectors.search_claims(query)
    return render(request, "archive/search.html", context)


# --------------------------------------------------------------------------- JSON


def document_json(request, slug: str):
    as_of = request.GET.get("as_of", "").strip()
    if as_of:
        document = get_object_or_404(Document, slug=slug)
        try:
            article = selectors.article_as_of(document, parse_moment(as_of, now=timezone.now()))
        except BadMoment as error:
            return _json({"error": str(error)}, status=400)
        except selectors.NotYetArchived as error:
            return _json(
                {"error": f"not yet in the archive then; first imported {error.since.isoformat()}"},
                status=404,
            )
        return _json(article_data(article))
    current = selectors.document_for_page(slug)
    if current is None:
        return _json({"error": "no document with that name"}, status=404)
    return cached_response(
        "json",
        current,
        lambda: _json(article_data(selectors.current_article(current))),
    )


def _json(data, status: int = 200) -> HttpResponse:
    # <, > and & as \\u escapes, like Django's json_script: the text is the same once
    # parsed, and no byte of the body can read as markup if a browser ever sniffs it.
    body = (
        json.dumps(data, ensure_ascii=False, indent=1)
        .replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
    )
    return HttpResponse(body, content_type="application/json", status=status)


def article_data(article: selectors.Article) -> dict:
    """The article as plain data: sections, claims, citations, sources, flags, statuses."""
    document = article.document

    def flag(f):
        return {
            "id": f.id,
            "kind": f.kind,
            "label": f.label,
            "reason": f.reason,
            "status": f.status,
            "offset": f.offset,
        }

    return {
        "document": {
            "id": document.id,
            "title": document.title,
            "slug": document.slug,
            "file_name": document.file_name,
            "sha256": document.sha256,
            "url": reverse("public:document", args=[document.slug]),
        },
        "as_of": article.as_of.isoformat() if article.as_of else None,
        "sections": [
            {
                "id": section.id,
                "position": section.position,
                "heading": section.heading,
                "heading_missing": section.heading_missing,
                "level": section.level,
                "flags": [flag(f) for f in section.flag_list],
                "claims": [
                    {
                        "id": claim.id,
                        "position": claim.position,
                        "paragraph": claim.paragraph,
                        "kind": claim.kind,
                        "text": claim.text,
                        "review_status": claim.review_status,
                        "url": reverse("public:claim", args=[claim.id]),
                        "citations": [
                            {
                                "source": citation.source_id,
                                "label": citation.source_row.label,
                                "locator": citation.locator,
                                "quotation": citation.quotation,
                                "offset": citation.offset,
                            }
                            for citation in claim.citation_list
                        ],
                        "flags": [flag(f) for f in claim.flag_list],
                    }
                    for claim in section.claim_list
                ],
            }
            for section in article.sections
        ],
        "sources": [
            {
                "id": source.id,
                "label": source.label,
                "kind": source.kind,
                "title": source.title,
                "author": source.author,
                "publisher": source.publisher,
                "published": source.published,
                "url": source.url,
                "archive_url": source.archive_url,
                "isbn": source.isbn,
                "doi": source.doi,
                "note_text": source.note_text,
            }
            for source in article.sources
        ],
    }
