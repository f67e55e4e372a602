"""History: a segment's changes (from the editor) with restore, and the project and team activity feeds.

Seeing history needs only to see the project; restoring is an edit (edit_script), made through the
editor's save, so it answers like one: the restored row out of band, or 409 when the segment changed
since the history was opened.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from .. import access, feed
from ..models import Segment, Team
from ..services import segment_history as history_service
from ..services.editing import EditError, SegmentGone, StaleVersion
from . import editor as editor_views

PANEL = "projects/history.html#segment-history"


def _segment_in_range(segment_pk):
    if not 0 < segment_pk <= editor_views.MAX_ID:
        raise Http404("No such segment.")


def _int(value, default=-1):
    """An id or version from the form; `default` when it is not one (a row id is at most MAX_ID)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if abs(number) <= editor_views.MAX_ID else default


@login_required
@require_GET
def segment_history(request, pk, segment_pk):
    """The panel: the segment's changes, newest first, a page at a time."""
    _segment_in_range(segment_pk)
    project = access.get_project_for(request.user, pk, "view")
    segment = Segment.objects.filter(project=project, pk=segment_pk).select_related("speaker").first()
    if segment is None:
        raise Http404("No such segment.")
    page, changes = history_service.history_page(project, segment_pk, request.GET.get("page"))
    context = {
        "project": project,
        "segment": segment,
        "page": page,
        "changes": changes,
        "can_restore": access.can(project.role, "edit_script"),
    }
    return render(request, PANEL, context)


@login_required
@require_POST
def segment_restore(request, pk, segment_pk):
    _segment_in_range(segment_pk)
    project = editor_views._project_for(request, pk, "edit_script")
    try:
        result = history_service.restore_version(
            project,
            segment_pk,
            _int(request.POST.get("edit")),
            request.POST.get("which", ""),
            version=_int(request.POST.get("version")),
            by=request.user,
        )
    except SegmentGone:
        return _status("This segment no longer exists; its history cannot be restored here.", 404)
    except StaleVersion as stale:
        return _status(
            "This segment changed since you opened its history, so nothing was restored. "
            f"It now reads “{stale.current.target_text}”. Reload the history to see the latest change.",
            409,
            reload=True,
        )
    except EditError as error:
        return _status(f"{error} Nothing was restored.", 422)
    response = editor_views._render_rows(request, project, result.changed, neighbours=True)
    label = result.edit.label if result.edit else "The segment is already as it was then."
    message = editor_views._message_html(label, "ok", "undo" if result.edit else None)
    status = render_to_string(
        "projects/history.html#history-status", {"text": "Restored.", "kind": "ok", "done": True}
    )
    response.content = status.encode() + message.encode() + response.content
    return editor_views._changed_event(request, project, response) if result.edit else response


def _status(text, code, *, reload=False):
    html = render_to_string(
        "projects/history.html#history-status", {"text": text, "kind": "error", "reload": reload}
    )
    return HttpResponse(html, status=code)


@login_required
@require_GET
def project_activity(request, pk):
    project = access.get_project_for(request.user, pk, "view")
    context = {"project": project, "feed": feed.project_feed(project, request.GET.get("page")), "team": None}
    return render(request, "projects/activity.html", context)


@login_required
@require_GET
def team_activity(request):
    """The feed of every project of one of the user's teams (`?team=slug`, else their first)."""
    roles = access.team_roles(request.user)
    teams = list(Team.objects.filter(pk__in=roles))
    if not teams:
        return render(request, "projects/activity.html", {"project": None, "team": None, "feed": None})
    wanted = request.GET.get("team")
    team = next((t for t in teams if t.slug == wanted), None) if wanted else teams[0]
    if team is None:
        raise Http404("No such team.")
    context = {
        "project": None,
        "team": team,
        "teams": teams,
        "feed": feed.team_feed(team, request.GET.get("page")),
    }
    return render(request, "projects/activity.html", context)
