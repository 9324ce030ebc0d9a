"""The Atom feed of approved changes (and imports), newest first.

Only approved proposals appear: a draft, a pending or rejected proposal and every review
comment stay in the admin. Entry text is rendered by a template, so it is escaped HTML,
which the feed in turn escapes as XML text. Characters XML 1.0 cannot carry (control
characters, lone surrogates) become U+FFFD: no stored text can make the feed fail.
"""

import re
from datetime import timedelta

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import selectors, workflow
from .models import ChangeProposal

_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ApprovedChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "Provenance archive: approved changes"
    subtitle = "Every approved change to the archive's articles, and every import."
    description_template = "archive/feed_entry.html"

    def link(self):
        return reverse("public:index")

    def items(self):
        return selectors.approved_changes()

    def item_title(self, item):
        if isinstance(item, ChangeProposal):
            count = len(item.changes.all())
            noun = "change" if count == 1 else "changes"
            return f"{item.document.title}: {count} {noun} approved (proposal #{item.pk})"
        return f"{item.document.title}: imported from {item.file_name}"

    def item_link(self, item):
        url = reverse("public:changes", args=[item.document.slug])
        # The window holding exactly this approval's history rows (they carry its time).
        moment = item.feed_date
        since = (moment - timedelta(microseconds=1)).isoformat().replace("+00:00", "Z")
        until = moment.isoformat().replace("+00:00", "Z")
        if isinstance(item, ChangeProposal):
            return f"{url}?from={since}&to={until}"
        return reverse("public:document", args=[item.document.slug])

    def item_guid(self, item):
        kind = "proposal" if isinstance(item, ChangeProposal) else "import"
        return f"urn:provenance-archive:{kind}:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.feed_date

    def item_updateddate(self, item):
        return item.feed_date

    def item_author_name(self, item):
        user = item.proposer if isinstance(item, ChangeProposal) else item.user
        return user.get_username()

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        for item in feed.items:
            for key, value in item.items():
                if isinstance(value, str):
                    item[key] = _NOT_IN_XML.sub("\ufffd", value)
        return feed

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = kwargs["item"]
        context["is_proposal"] = isinstance(item, ChangeProposal)
        if context["is_proposal"]:
            context["changes"] = [
                (change.get_kind_display(), workflow.KINDS[change.kind].summary(change))
                for change in item.changes.all()
            ]
        return context
