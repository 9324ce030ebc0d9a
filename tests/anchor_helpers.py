"""Scenario helpers for the tests of citation anchors in proposals: one short article.

Its first claim cites [1] after "Berlin" and [2] at the end; its second cites [3] after
"1945" and carries the flags [who?] after "historians" and [citation needed] at the end.
"""

from archive import workflow
from archive.models import ChangeKind

ARTICLE = """Fall of the city

Soviet troops entered Berlin[1] on 21 April, meeting little resistance.[2] The garrison \
surrendered on 2 May 1945[3], and some historians[who?] call the fighting the bloodiest of \
the war.[citation needed]

References

1. ^ Beevor, Antony (2002). Berlin: The Downfall 1945.
2. ^ Ryan, Cornelius (1966). The Last Battle.
3. ^ Read, Anthony (1992). The Fall of Berlin.
"""
ENTERED = "Soviet troops entered Berlin on 21 April, meeting little resistance."
SURRENDERED = (
    "The garrison surrendered on 2 May 1945, and some historians call the fighting the "
    "bloodiest of the war."
)
# Keeps the words around [2] ("meeting little resistance."), none of those around [1].
REWRITTEN = "The capital fell after a two-week siege, meeting little resistance."


def where(text: str, marker) -> str:
    """The text with ``|`` where the marker stands now, as a reader would see it."""
    marker.refresh_from_db()
    return text[: marker.offset] + "|" + text[marker.offset :]


def draft_edit(user, claim, text: str, anchors=None):
    """A draft whose one change gives ``claim`` the ``text``, with placements if given."""
    proposal = workflow.create_proposal(
        document=claim.section.document, user=user, rationale="Closer to the sources."
    )
    payload = {"text": text} if anchors is None else {"text": text, "anchors": anchors}
    workflow.add_change(
        proposal=proposal, user=user, kind=ChangeKind.EDIT_CLAIM, claim=claim, payload=payload
    )
    return proposal


def propose_edit(user, claim, text: str, anchors=None):
    """``draft_edit``, submitted."""
    return workflow.submit_proposal(proposal=draft_edit(user, claim, text, anchors), user=user)
