"""The editor's review actions: request review, approve, request changes (one segment or a selection), and
approve every segment that needs review and has no open problem. Thin: access, input, one call into
services/review.py, the changed rows back (as the editor's other endpoints answer, see views/editor.py)."""

import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from .. import access, review_selectors
from ..rows import editor_urls
from ..services import review
from . import editor as editor_views

# An answer that changes more rows than this asks the page to reload its list instead of sending them all.
ROWS_IN_ANSWER = 300
MAX_SEGMENTS = 20_000


def _listed(request, name):
    """The values of `name`, repeated or comma-separated (a selection of thousands of rows is one field:
    Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields)."""
    return [part for value in request.POST.getlist(name) for part in value.split(",") if part.strip()]


def _selected_ids(request):
    """The segments' ids; BadIds if any is not an id, or if there are more than a script has."""
    ids = list(dict.fromkeys(editor_views._parse_id(value) for value in _listed(request, "segments")))
    if len(ids) > MAX_SEGMENTS:
        raise editor_views.BadIds("too many")
    return ids


def _seen_versions(request):
    """{segment id: the version the person saw} from `seen` values "ID.VERSION" (unreadable ones ignored:
    the move then goes by status alone, as for "approve all")."""
    seen = {}
    for value in _listed(request, "seen")[:MAX_SEGMENTS]:
        pk, _, version = value.strip().partition(".")
        if pk.isascii() and pk.isdigit() and version.isascii() and version.isdigit():
            seen[int(pk[:19])] = int(version[:19])
    return seen


def _answer(request, project, result):
    """The moved rows (or, for many, an event that reloads the list), a message, script-changed and the
    panels a change moves."""
    if len(result.moved) > ROWS_IN_ANSWER:
        response = editor_views.HttpResponse(b"")
        triggers = {"script-changed": True, "dubweb:reload-rows": True}
    else:
        rows = review_selectors.rows_of(project, result.moved)
        response = editor_views._render(request, project, rows, editor_views.selectors.speakers_of(project))
        triggers = {"script-changed": True}
    kind = "ok" if result.edit else "info"
    offer = "undo" if result.edit else None
    response.content = editor_views._message_html(result.label, kind, offer).encode() + response.content
    if result.edit:
        response.content += editor_views.changed_panels_html(request, project).encode()
    response["HX-Trigger"] = json.dumps(triggers)
    return response


@login_required
@require_POST
def segments_review(request, pk):
    """Make one review move (`action`: a key of review.MOVES) for the segments given (`segments`)."""
    name = request.POST.get("action", "")
    if name not in review.MOVES:
        access.get_project_for(request.user, pk, "view")  # 404 outside the team before anything else
        return editor_views._message(request, "Choose a review action.", 422)
    project = editor_views._project_for(request, pk, review.MOVES[name].permission)
    try:
        ids = _selected_ids(request)
    except editor_views.BadIds:
        return editor_views._bad_ids(request)
    if not ids:
        return editor_views._message(request, "Choose a segment first: click a row or select some.", 422)
    try:
        result = review.move(
            project,
            name,
            by=request.user,
            segment_pks=ids,
            seen_versions=_seen_versions(request),
            reason=request.POST.get("reason", ""),
        )
    except review.ReviewError as error:
        return editor_views._message(request, str(error), 422)
    return _answer(request, project, result)


@login_required
@require_POST
def approve_clean(request, pk):
    project = editor_views._project_for(request, pk, "review_script")
    try:
        result = review.approve_clean(project, by=request.user)
    except review.ReviewError as error:
        return editor_views._message(request, str(error), 422)
    return _answer(request, project, result)


@login_required
@require_GET
def review_progress(request, pk):
    project = access.get_project_for(request.user, pk, "view")
    project.can_review = access.allows(project, "review_script")
    return render(
        request,
        "projects/includes/review.html#review-progress",
        {
            "project": project,
            "progress": review_selectors.progress(project),
            "urls": editor_urls(project.pk),
            "last_push": review_selectors.last_push(project),
        },
    )
