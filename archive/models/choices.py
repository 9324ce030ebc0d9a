"""Choices shared by the models, the workflow and the pages."""

from django.db import models


class ClaimKind(models.TextChoices):
    STATEMENT = "statement", "statement"
    CAPTION = "caption", "caption"
    QUOTATION = "quotation", "quotation"
    LIST_ITEM = "list_item", "list item"


class ReviewStatus(models.TextChoices):
    UNREVIEWED = "unreviewed", "unreviewed"
    VERIFIED = "verified", "verified"
    DISPUTED = "disputed", "disputed"


class SourceKind(models.TextChoices):
    REFERENCE = "reference", "reference"
    NOTE = "note", "note"


class FlagKind(models.TextChoices):
    CITATION_NEEDED = "citation_needed", "citation needed"
    NEUTRALITY_DISPUTED = "neutrality_disputed", "neutrality disputed"
    QUOTATION_NEEDED = "quotation_needed", "quotation needed"
    CLARIFICATION_NEEDED = "clarification_needed", "clarification needed"
    VAGUE = "vague", "vague or unattributed (who? when? which?)"
    DUBIOUS = "dubious", "dubious"
    FAILED_VERIFICATION = "failed_verification", "failed verification"
    BETTER_SOURCE_NEEDED = "better_source_needed", "better source needed"
    PAGE_NEEDED = "page_needed", "page or fuller citation needed"
    ORIGINAL_RESEARCH = "original_research", "original research"
    DEAD_LINK = "dead_link", "dead link"
    UPDATE_NEEDED = "update_needed", "update needed"
    OTHER = "other", "other"


class ApparatusKind(models.TextChoices):
    """What a piece of the imported text is when it is not article prose.

    Apparatus is stored beside the claims (never as a claim, never dropped) so a round trip
    of a document's records gives back the text that was imported.
    """

    TABLE_OF_CONTENTS = "toc", "table of contents"
    HATNOTE = "hatnote", "hatnote"
    REFERENCE_ENTRY = "reference_entry", "reference entry"
    FOOTNOTE = "footnote", "footnote"
    BIBLIOGRAPHY_ENTRY = "bibliography_entry", "bibliography entry"
    NAVIGATION = "navigation", "navigation list (see also, external links)"
    CATEGORY = "category", "category line"
    CHROME = "chrome", "page chrome"
    INFOBOX = "infobox", "infobox residue"
    MAINTENANCE_BOX = "maintenance_box", "maintenance box"
    MARKUP_REMNANT = "markup_remnant", "markup remnant"
    STRAY_MARKERS = "stray_markers", "markers or tags on a line of their own"


class FlagStatus(models.TextChoices):
    OPEN = "open", "open"
    RESOLVED = "resolved", "resolved"


class ProposalState(models.TextChoices):
    DRAFT = "draft", "draft"
    SUBMITTED = "submitted", "submitted"
    CHANGES_REQUESTED = "changes_requested", "changes requested"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "rejected"
    WITHDRAWN = "withdrawn", "withdrawn"
    CONFLICT = "conflict", "conflict"


class ChangeKind(models.TextChoices):
    EDIT_CLAIM = "edit_claim", "edit a claim's text"
    ADD_CLAIM = "add_claim", "add a claim"
    REMOVE_CLAIM = "remove_claim", "remove a claim"
    EDIT_HEADING = "edit_heading", "edit a section heading"
    ADD_CITATION = "add_citation", "add a citation"
    CHANGE_CITATION = "change_citation", "change a citation"
    REMOVE_CITATION = "remove_citation", "remove a citation"
    EDIT_SOURCE = "edit_source", "edit a source"
    ADD_SOURCE = "add_source", "add a source"
    RAISE_FLAG = "raise_flag", "raise a flag"
    RESOLVE_FLAG = "resolve_flag", "resolve a flag"
    SET_REVIEW_STATUS = "set_review_status", "set a claim's review status"


class CommentAction(models.TextChoices):
    COMMENT = "comment", "commented"
    SUBMIT = "submit", "submitted"
    WITHDRAW = "withdraw", "withdrew"
    REQUEST_CHANGES = "request_changes", "requested changes"
    REVISE = "revise", "reopened for editing"
    APPROVE = "approve", "approved"
    REJECT = "reject", "rejected"
    CONFLICT = "conflict", "found a conflict"
    REBASE = "rebase", "rebased"
