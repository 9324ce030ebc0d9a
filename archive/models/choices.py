"""Choices shared by the models, the workflow and the pages."""

from django.db import models


class ClaimKind(models.TextChoices):
    STATEMENT = "statement", "statement"
    CAPTION = "caption", "caption"
    QUOTATION = "quotation", "quotation"


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
    OTHER = "other", "other"


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
