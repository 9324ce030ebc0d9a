"""Root URLs: the admin site (editors, reviewers, archivists) and the public site."""

from django.contrib import admin
from django.urls import include, path

from archive.admin.exports import export_history_view

# A refused action shows the workflow's sentence; a database that is only busy (SQLite's
# "database is locked") is a 503 to retry.
handler403 = "archive.errors.permission_denied"
handler500 = "archive.errors.server_error"

urlpatterns = [
    # Before the admin's own URLs, which would otherwise claim the path.
    path(
        "admin/archive/export-history/",
        admin.site.admin_view(export_history_view),
        name="archive_export_history",
    ),
    path("admin/", admin.site.urls),
    path("", include("archive.urls")),
]
