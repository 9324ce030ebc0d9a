"""The three editorial roles, as Django groups (created by migration 0003_groups).

Editors view everything and propose changes; Reviewers also decide on other people's
proposals and may propose review statuses; Archivists also edit live content directly,
import, revert and recover, and export the audit history.
"""

EDITOR = "Editor"
REVIEWER = "Reviewer"
ARCHIVIST = "Archivist"
ROLES = (EDITOR, REVIEWER, ARCHIVIST)

VIEW_PROPOSALS = "archive.view_changeproposal"
PROPOSE = "archive.add_changeproposal"
COMMENT = "archive.add_reviewcomment"
REVIEW = "archive.review_changeproposal"
REVERT = "archive.revert_content"
IMPORT = "archive.import_document"
EXPORT = "archive.export_history"
