"""The public, read-only site: URLs exactly as docs/design.md lists them."""

from django.urls import path, register_converter

from . import feeds, views
from .slugs import is_slug


class UnicodeSlugConverter:
    """A document slug: letters, marks and digits of any script, hyphens and underscores
    (``archive/slugs.py``). A path segment that is no slug matches no page (404)."""

    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        if not is_slug(value):
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<uslug:slug>/", views.document, name="document"),
    path("documents/<uslug:slug>/changes/", views.changes, name="changes"),
    path("claims/<int:claim_id>/", views.claim, name="claim"),
    path("sources/<int:source_id>/", views.source, name="source"),
    path("search/", views.search, name="search"),
    path("feed/", feeds.ApprovedChangesFeed(), name="feed"),
    path("api/documents/<uslug:slug>.json", views.document_json, name="document_json"),
]
