"""Change proposals: what editors ask to change, and the review that decides it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .choices import ChangeKind, CommentAction, ProposalState
from .content import Citation, Claim, Document, Flag, ImportRun, Section, Source

UNDECIDED = (
    ProposalState.DRAFT,
    ProposalState.SUBMITTED,
    ProposalState.CHANGES_REQUESTED,
    ProposalState.CONFLICT,
)


class ChangeProposalQuerySet(models.QuerySet):
    def undecided(self):
        """Proposals still in the review: drafts, submitted, sent back, in conflict."""
        return self.filter(state__in=UNDECIDED)

    def draft_of(self, user, document):
        """``user``'s open draft on ``document`` (the newest, if several), or None."""
        return (
            self.filter(document=document, proposer=user, state=ProposalState.DRAFT)
            .order_by("-created_at", "-pk")
            .first()
        )

    def touching(self, **targets):
        """Undecided proposals with a change on any of the records given, by field:
        ``touching(claim=[3, 4], section=[1])``."""
        where = Q()
        for name, ids in targets.items():
            where |= Q(**{f"changes__{name}__in": list(ids)})
        if not where:
            return self.none()
        return self.undecided().filter(where).distinct()


class ChangeProposal(models.Model):
    """A set of changes to one document, applied together or not at all, after review.

    Four-eyes: the reviewer who decides is never the proposer (a database constraint, and
    ``workflow`` checks it first so people get a clear message).
    """

    State = ProposalState

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="proposals")
    rationale = models.TextField(help_text="Why the change is needed, with the evidence.")
    state = models.CharField(max_length=24, choices=State.choices, default=State.DRAFT)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        help_text="Who approved, rejected or asked for changes last.",
    )
    decision_comment = models.TextField(blank=True)
    reviewed_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="The content fingerprint of what the reviewer saw when deciding last "
        "(workflow.content_fingerprint): approvals, rejections and requests for changes.",
    )
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    import_run = models.ForeignKey(
        ImportRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        help_text="Set when a re-import of a changed file made this proposal.",
    )
    revision = models.OneToOneField(
        "reversion.Revision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The reversion revision holding every row the approval wrote.",
    )

    history = HistoricalRecords(cascade_delete_history=False)
    objects = ChangeProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("review_changeproposal", "Can approve, reject or request changes on proposals"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ProposalState.values), name="proposal_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | ~Q(reviewer=models.F("proposer")),
                name="proposal_four_eyes",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "rejected"])
                | Q(reviewer__isnull=False, decided_at__isnull=False),
                name="proposal_decision_has_reviewer",
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="proposal_has_rationale"),
        ]

    def __str__(self) -> str:
        return f"Proposal #{self.pk} ({self.get_state_display()})"


class ProposedChange(models.Model):
    """One change of a proposal: what, on which record, written against which version.

    Targets are kept without database constraints, as history rows keep theirs, so a
    change still names the claim it removed after the claim is gone.
    """

    Kind = ChangeKind

    proposal = models.ForeignKey(ChangeProposal, on_delete=models.CASCADE, related_name="changes")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=Kind.choices)
    claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    section = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    citation = models.ForeignKey(
        Citation,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    flag = models.ForeignKey(
        Flag,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    base_version = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The target's latest history row when the change was written; if the "
        "target has a newer one at approval, the proposal is in conflict.",
    )
    payload = models.JSONField(default=dict, blank=True, help_text="The new values.")
    before = models.JSONField(
        default=dict, blank=True, help_text="The target's values when the change was written."
    )
    result_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The row an approved add created."
    )
    conflict = models.JSONField(
        null=True,
        blank=True,
        help_text="Set when what the change is written against moved on in a way it cannot "
        "merge with: for each field, the base, theirs (now) and mine, and a merged draft to "
        "finish by hand. Cleared when the proposer edits the change.",
    )

    history = HistoricalRecords(cascade_delete_history=False)

    class Meta:
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "position"], name="change_unique_position"),
            models.CheckConstraint(
                condition=Q(kind__in=ChangeKind.values), name="change_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (#{self.position} of proposal #{self.proposal_id})"


class ReviewComment(models.Model):
    """The conversation on a proposal: comments and every decision, with its reason."""

    Action = CommentAction

    proposal = models.ForeignKey(ChangeProposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_comments"
    )
    action = models.CharField(max_length=24, choices=Action.choices, default=Action.COMMENT)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=CommentAction.values),
                name="comment_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} {self.get_action_display()} on proposal #{self.proposal_id}"


class DashboardVisit(models.Model):
    """When a user last looked at their dashboard: what happened since is new to them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_visit"
    )
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} looked at {self.seen_at:%Y-%m-%d %H:%M}"
