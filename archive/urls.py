"""The public, read-only site: URLs exactly as DESIGN.md lists them."""

from django.urls import path

from . import feeds, views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<slug:slug>/", views.document, name="document"),
    path("documents/<slug:slug>/changes/", views.changes, name="changes"),
    path("claims/<int:claim_id>/", views.claim, name="claim"),
    path("sources/<int:source_id>/", views.source, name="source"),
    path("search/", views.search, name="search"),
    path("feed/", feeds.ApprovedChangesFeed(), name="feed"),
    path("api/documents/<slug:slug>.json", views.document_json, name="document_json"),
]
