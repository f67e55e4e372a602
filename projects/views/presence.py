"""The editor's poll: who else is here, and the rows they changed since the last poll."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from .. import access, quality, selectors
from ..rows import RowRenderer, editor_urls, render_fragment
from ..services import notifications, presence

TEMPLATE = "projects/presence.html"  # Jinja2 (templates/jinja2/), as the rows it carries
BADGE = "projects/includes/notification_badge.html"


def _segment_id(value):
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 2**63 else None


def _cursor(value):
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return None  # no cursor (the first poll) or a garbled one: start from now
    return moment if moment.tzinfo else None


@login_required
@require_POST
def presence_poll(request, pk):
    project = access.get_project_for(request.user, pk, "view")
    if request.POST.get("leave"):
        presence.leave(project, request.user)
        return HttpResponse(status=204)
    project.can_edit = access.allows(project, "edit_script")
    others = presence.check_in(project, request.user, _segment_id(request.POST.get("segment")))
    changes = presence.changes_since(project, _cursor(request.POST.get("since")))
    rows_html = ""
    if changes.rows:
        project.thresholds = quality.thresholds_for(project.target_language)
        renderer = RowRenderer(project, selectors.speakers_of(project))
        rows_html = renderer.each(selectors.flagged_apart(project, changes.rows))
    context = {
        "poll_url": editor_urls(project.pk)["presence"],
        "others": others,
        "changes": changes,
        "rows_html": rows_html,
        "poll_seconds": presence.POLL_SECONDS,
        # The header's unread count rides along: the editor's page then needs no poll of its own for it.
        "badge": render_to_string(
            BADGE, {"oob": True, "unread_notifications": notifications.unread_count(request.user)}
        ),
    }
    return HttpResponse(render_fragment(TEMPLATE, context))
