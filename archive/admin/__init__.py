"""The admin site: where editors, reviewers and archivists work on the archive.

Live content is read-only but for archivists (the groups give the others view permissions
only), and an archivist's direct edit asks for a reason that lands on the history row.
Everyone else changes content through proposals: "Propose a change" on a claim, section or
source page adds a change to the user's draft; the proposal page shows each change as a
word diff or a before/after table, with buttons for the moves the workflow allows.

The admin stays thin: every write is a ``workflow`` function, and what it raises is shown
as a message (or a 403 for ``PermissionDenied``). Changelists and the proposal page fetch
related rows up front, so their query counts do not grow with the content.

- ``base``: what every content admin shares (history, direct edits, revert and recover);
- ``proposing``: the propose page of a claim, section or source;
- ``content``: the admins of documents, sections, claims, sources, citations, flags, apparatus;
- ``imports``: import runs;
- ``proposals``: the work queues, the proposal page and its moves;
- ``describing``: how the proposal page shows each change;
- ``exports``: the audit history download.
"""

from django.contrib import admin

from . import content, imports, proposals  # noqa: F401  (they register their admins)

admin.site.site_header = "Provenance archive"
admin.site.site_title = "Provenance archive"
admin.site.index_title = "Editorial desk"
