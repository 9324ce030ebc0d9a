"""Every state change of the archive, one function each.

Callers (admin actions, views, management commands) only call these and report what they
raise. Each function runs in one transaction and leaves history rows naming the user and
the reason for every row it writes (see ``recording``).

- ``imports``: a parsed file becomes a document, or a proposal when it changes one;
- ``proposals``: drafting, the review's transitions (one table, ``TRANSITIONS``), applying;
- ``anchors``: where a claim's markers stand once its text is edited (pure, no database);
- ``repair``: an archivist's revert, recovery and deletion with a reason.
"""

from .imports import (
    IMPORTER_USERNAME,
    ImportOutcome,
    ImportRefused,
    document_slug,
    import_documents,
    importer_user,
    load_rows,
)
from .proposals import (
    ANCHORS,
    CITATIONS,
    FLAGS,
    PROPOSER,
    REVIEWER,
    SOURCE_FIELDS,
    TRANSITIONS,
    MarkerMove,
    add_change,
    allowed_moves,
    approve_proposal,
    comment_on_proposal,
    create_proposal,
    marker_moves,
    rebase_proposal,
    reject_proposal,
    remove_change,
    request_changes,
    revise_proposal,
    submit_proposal,
    withdraw_proposal,
)
from .recording import InvalidChange, WorkflowError
from .repair import delete_record, edit_record, recover_record, revert_record

__all__ = [
    "ANCHORS",
    "CITATIONS",
    "FLAGS",
    "IMPORTER_USERNAME",
    "PROPOSER",
    "REVIEWER",
    "SOURCE_FIELDS",
    "TRANSITIONS",
    "ImportOutcome",
    "ImportRefused",
    "InvalidChange",
    "MarkerMove",
    "WorkflowError",
    "add_change",
    "allowed_moves",
    "approve_proposal",
    "comment_on_proposal",
    "create_proposal",
    "delete_record",
    "document_slug",
    "edit_record",
    "import_documents",
    "importer_user",
    "load_rows",
    "marker_moves",
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
