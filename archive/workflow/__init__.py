"""Every state change of the archive, one function each.

Callers (admin actions, views, management commands) only call these and report what they
raise. Each function runs in one transaction and leaves history rows naming the user and
the reason for every row it writes (see ``recording``).

- ``imports``: a parsed file becomes a document, or a proposal when it changes one;
- ``proposals``: drafting, the review's transitions (one table, ``TRANSITIONS``), applying;
- ``kinds``: every kind of change, declared once (target, validation, apply, description);
- ``markers``: where a claim's markers stand once an edit of its text applies;
- ``anchors``: how a marker's words are found again in an edited text (pure, no database);
- ``repair``: an archivist's revert, recovery and deletion with a reason;
- ``desk``: when each user last looked at their dashboard.
"""

from .desk import note_dashboard_visit
from .imports import (
    IMPORTER_USERNAME,
    ImportOutcome,
    ImportRefused,
    document_slug,
    import_documents,
    importer_user,
    load_rows,
)
from .kinds import KINDS, SOURCE_FIELDS
from .markers import ANCHORS, CITATIONS, FLAGS, MarkerMove, marker_moves
from .proposals import (
    PROPOSER,
    REVIEWER,
    TRANSITIONS,
    add_change,
    allowed_moves,
    approve_proposal,
    comment_on_proposal,
    content_fingerprint,
    create_proposal,
    edit_change,
    edit_rationale,
    latest_versions,
    make_move,
    merge_outlook,
    propose_change,
    rebase_proposal,
    reject_proposal,
    remove_change,
    request_changes,
    revise_proposal,
    submit_proposal,
    withdraw_proposal,
)
from .recording import InvalidChange, StaleReview, WorkflowError
from .repair import delete_record, edit_record, recover_record, revert_record

__all__ = [
    "ANCHORS",
    "CITATIONS",
    "FLAGS",
    "IMPORTER_USERNAME",
    "KINDS",
    "PROPOSER",
    "REVIEWER",
    "SOURCE_FIELDS",
    "TRANSITIONS",
    "ImportOutcome",
    "ImportRefused",
    "InvalidChange",
    "MarkerMove",
    "StaleReview",
    "WorkflowError",
    "add_change",
    "allowed_moves",
    "approve_proposal",
    "comment_on_proposal",
    "content_fingerprint",
    "create_proposal",
    "delete_record",
    "document_slug",
    "edit_change",
    "edit_rationale",
    "edit_record",
    "import_documents",
    "importer_user",
    "latest_versions",
    "load_rows",
    "make_move",
    "marker_moves",
    "merge_outlook",
    "note_dashboard_visit",
    "propose_change",
    "rebase_proposal",
    "recover_record",
    "reject_proposal",
    "remove_change",
    "request_changes",
    "revert_record",
    "revise_proposal",
    "submit_proposal",
    "withdraw_proposal",
]
