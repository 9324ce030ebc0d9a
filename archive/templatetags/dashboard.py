"""The editorial dashboard on the admin index, as an inclusion tag (no custom AdminSite)."""

from django import template

from archive import selectors, workflow

register = template.Library()

BAR_HEIGHT = 18
LABEL_WIDTH = 230
BAR_WIDTH = 260


@register.inclusion_tag("admin/archive/dashboard.html", takes_context=True)
def editorial_dashboard(context):
    user = context["request"].user
    # This visit is recorded first and the page shows what was decided since the previous
    # one (see note_dashboard_visit): a decision made while the page renders shows now and
    # again next time, rather than never.
    last_visit = workflow.note_dashboard_visit(user)
    data = selectors.dashboard(user, last_visit=last_visit)
    for document in data["coverage"]:
        rows = document["sections"]
        for index, row in enumerate(rows):
            row["y"] = index * (BAR_HEIGHT + 4)
            row["width"] = round(row["share"] * BAR_WIDTH, 1)
            row["percent"] = round(row["share"] * 100)
        document["height"] = len(rows) * (BAR_HEIGHT + 4)
    data.update(
        bar_height=BAR_HEIGHT,
        label_width=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
        chart_width=LABEL_WIDTH + BAR_WIDTH + 60,
        user=context["request"].user,
        perms=context.get("perms"),
    )
    return data
