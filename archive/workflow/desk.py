"""The editor's desk: when someone last looked at their dashboard.

Not content and not part of the audit trail: a visit leaves no history row and no revision.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import DashboardVisit


def note_dashboard_visit(user, when: datetime | None = None) -> datetime | None:
    """Record that ``user`` looks at their dashboard now (``when``); return the previous look.

    The rule: the dashboard shows what was decided on the user's proposals since the time
    this returns, and this visit becomes the next one's starting point. So a decision is
    "new" on the first visit that shows it, and a reload no longer lists it (the proposal
    page and the *my proposals* queue still do). ``None`` means the user never looked
    before (the dashboard then shows the last ``selectors.FIRST_VISIT``). A visit never
    moves the time back: an earlier ``when`` than the one recorded leaves it as it is.
    """
    when = when or timezone.now()
    with transaction.atomic():
        previous = (
            DashboardVisit.objects.select_for_update()
            .filter(user=user)
            .values_list("seen_at", flat=True)
            .first()
        )
        if previous is None or when > previous:
            # An upsert: two first visits at once (two tabs) cannot collide, and every visit
            # costs the same two queries.
            DashboardVisit.objects.bulk_create(
                [DashboardVisit(user=user, seen_at=when)],
                update_conflicts=True,
                unique_fields=["user"],
                update_fields=["seen_at"],
            )
        return previous
