"""The script editor: one page, and the HTMX endpoints that edit it a row at a time.

Conventions for the whole editor (see templates/projects/editor.html and static/js/editor.js):
- a row is the partial `segment-row`; every endpoint answers with rows, as the main swap or out of band;
- refused input answers 422 with the row in its error state, a stale save 409 with the conflict panel
  (htmx is told to swap both in base.html); the stored segment is unchanged in both cases;
- a change to the script carries the quality summary and the review progress out of band, and sends the
  `script-changed` event (changed_panels_html: one request per change, not three).
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .. import access, quality, review_selectors, selectors
from ..forms import SegmentFieldForm, ShiftForm
from ..models import ReviewStatus, Segment, Speaker
from ..rows import RowRenderer, editor_urls
from ..services import editing, presence, script_summary
from ..services.editing import EditError, SegmentGone, StaleVersion
from ..timecodes import MAX_MS, TimecodeError, parse_timecode


def _project_for(request, pk, action):
    project = access.get_project_for(request.user, pk, action, with_speakers=True)
    project.can_edit = access.allows(project, "edit_script")
    project.can_review = access.allows(project, "review_script")
    project.can_request_review = access.allows(project, "request_review")
    project.can_select = project.can_edit or project.can_review  # reviewers select rows to review them
    project.thresholds = quality.thresholds_for(project.target_language)
    return project


MAX_ID = 2**63 - 1  # the largest id a database row can have: a bigger one is no segment, not an error


def _segment_in_range(segment_pk):
    if not 0 < segment_pk <= MAX_ID:
        raise Http404("No such segment.")
    return segment_pk


class BadIds(ValueError):
    """A list of segment ids in the request that are not all ids."""


def _parse_id(value):
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise BadIds(value)
    return int(value)


def _changed_event(request, project, response, focus_id=None, *, counts_changed=True):
    """Marks an answer that changed the script: script-changed, and the panels a change moves out of band
    (unless it changed none of the figures they show: most saves of a line's text)."""
    if counts_changed:
        response.content += changed_panels_html(request, project).encode()
    response["HX-Trigger"] = json.dumps({"script-changed": True})
    if focus_id:
        # After the settle: the row to focus (a new one, after an insert or a split) is in the page by then.
        response["HX-Trigger-After-Settle"] = json.dumps({"dubweb:focus": {"id": f"seg-{focus_id}"}})
    return response


def changed_panels_html(request, project):
    """The quality summary and the review progress, out of band, for the answer to a change: the page used
    to ask for each after every save, two requests for one change (half the traffic of fifty editors)."""
    figures = script_summary.figures(project)
    project.can_review = access.allows(project, "review_script")
    urls = editor_urls(project.pk)
    summary = render_to_string(
        "projects/editor.html#quality-summary",
        {"project": project, "urls": urls, "oob": True, **selectors.quality_summary(project, figures)},
        request,
    )
    progress = render_to_string(
        "projects/includes/review.html#review-progress",
        {
            "project": project,
            "urls": urls,
            "oob": True,
            "progress": review_selectors.progress(project, figures),
            "last_push": review_selectors.last_push(project),
        },
        request,
    )
    return summary + progress


@login_required
@require_GET
def editor(request, pk):
    project = _project_for(request, pk, "view")
    context = {
        "shift_form": ShiftForm(),
        "review_choices": _review_choices(),
        "flag_kinds": quality.FLAG_KINDS,
        "presence_poll_seconds": presence.POLL_SECONDS,
        # The timeline asks for the source's peaks; until they are computed the answer says why.
        "peaks_url": reverse("projects:waveform-peaks", args=[project.pk])
        if project.source_video_url
        else "",
        **_rows_context(project, selectors.editor_page(project, request.GET, request.user)),
    }
    return render(request, "projects/editor.html", context)


def _review_choices():
    """The review filter's choices: the statuses, with "Needs my review" after "Needs review"."""
    choices = []
    for value, label in ReviewStatus.choices:
        choices.append((value, label))
        if value == ReviewStatus.NEEDS_REVIEW:
            choices.append((selectors.MY_REVIEW, "Needs my review"))
    return choices


def _rows_context(project, rows):
    """What the list of rows needs: the rows rendered, the editor's URLs, and the selector's facts."""
    return {
        "project": project,
        "rows_html": RowRenderer(project, rows["speakers"]).rows(rows["rows"]),
        "urls": editor_urls(project.pk),
        **rows,
    }


@login_required
@require_GET
def segment_rows(request, pk):
    """The next chunk of rows (after=START.ID), or the rows matching the filters."""
    project = _project_for(request, pk, "view")
    context = _rows_context(project, selectors.editor_rows(project, request.GET, request.user))
    return render(request, "projects/editor.html#segment-rows", context)


@login_required
@require_GET
def segment_row(request, pk, segment_pk):
    _segment_in_range(segment_pk)
    project = _project_for(request, pk, "view")
    segment = get_object_or_404(Segment.objects.filter(project=project), pk=segment_pk)
    return _render_rows(request, project, [segment])


@login_required
@require_POST
def segment_save(request, pk, segment_pk):
    _segment_in_range(segment_pk)
    project = _project_for(request, pk, "edit_script")
    speakers = selectors.speakers_of(project)
    form = SegmentFieldForm(request.POST, speakers=speakers)
    refused = {"status": 422, "typed": form.typed_values()}
    if not form.is_valid():
        return _row_response(
            request,
            project,
            _segment_or_404(project, segment_pk),
            speakers,
            errors=form.field_errors(),
            **refused,
        )
    try:
        result = editing.save_segment(
            project,
            segment_pk,
            form.changes(),
            version=form.cleaned_data["version"],
            read=_read_value(form, request.POST),
            by=request.user,
        )
    except SegmentGone:
        raise Http404("No such segment.") from None
    except StaleVersion as stale:
        return _row_response(request, project, stale.current, speakers, conflict=form.conflict(stale.current),
                             status=409, typed=form.typed_values())  # fmt: skip
    except EditError as error:
        return _row_response(
            request,
            project,
            _segment_or_404(project, segment_pk),
            speakers,
            errors={form.field: str(error)},
            **refused,
        )
    saved = result.edit is not None
    if result.neighbours is None:  # the segment moved past a neighbour: read the stretch again
        rows = selectors.rows_with_flags(project, result.changed, with_following=True)
    else:
        previous, following = result.neighbours
        segment = result.changed[0]
        rows = [(segment, _flags(project, segment, previous))]
        if saved and form.field in ("start", "end") and following is not None:
            rows.append((following, _flags(project, following, segment)))
    response = _render(request, project, rows, speakers, saved=saved)
    if not saved:
        return response
    return _changed_event(request, project, response, counts_changed=result.counts_changed)


def _read_value(form, data):
    """What the person saw in the field they change (`was`, sent with the save), as {column: value}:
    the save merges when that field still holds it. None when not sent or unreadable: then any change
    to the segment since the version they read is a conflict."""
    if "was" not in data:
        return None
    raw = data["was"]
    column = SegmentFieldForm.FIELDS[form.field][0]
    try:
        if form.field in ("start", "end"):
            return {column: parse_timecode(raw)}
        if form.field == "speaker":
            return {"speaker_id": _parse_id(raw) if raw else None}
    except (TimecodeError, BadIds):
        return None
    return {column: raw}


def _segment_or_404(project, segment_pk):
    return get_object_or_404(Segment.objects.filter(project=project), pk=segment_pk)


def _flags(project, segment, previous):
    return quality.check_segment(
        segment, previous, project.thresholds, video_duration_ms=project.video_duration_ms
    )


def _row_response(request, project, segment, speakers, *, status, **extra):
    flags = _flags(project, segment, selectors.previous_segment(segment))
    return HttpResponse(RowRenderer(project, speakers).row(segment, flags, **extra), status=status)


def _render_rows(request, project, segments, *, neighbours=False, deleted_ids=(), created_ids=()):
    """The given rows out of band (with `neighbours`, also the rows right after them, whose overlap and
    gap flags depend on them), and the rows gone."""
    rows = selectors.rows_with_flags(project, segments, with_following=neighbours)
    return _render(
        request,
        project,
        rows,
        selectors.speakers_of(project),
        deleted_ids=deleted_ids,
        created_ids=created_ids,
    )


def _render(request, project, rows, speakers, *, saved=False, deleted_ids=(), created_ids=()):
    """Rows as one response: the row the request targets is the main swap, the others out of band."""
    renderer = RowRenderer(project, speakers)
    target = request.htmx.target if request.htmx else None
    html = []
    for segment, flags in rows:
        oob = ""
        if target != f"seg-{segment.pk}":
            oob = "beforeend:#segment-list" if segment.pk in created_ids else "true"
        html.append(renderer.row(segment, flags, oob=oob, saved=saved and not oob))
    html += [f'<div id="seg-{pk}" hx-swap-oob="delete"></div>' for pk in deleted_ids]
    return HttpResponse("".join(html))


def _structural(request, project, action, focus=None, done="", offer="undo"):
    """Run one structural edit; answer with the changed rows out of band, or the reason in a message.
    The message names the edit (after `done`, e.g. "Undone: ") and offers to undo it (or redo it)."""
    try:
        result = action()
    except SegmentGone as gone:
        return _message(request, str(gone), 404)
    except StaleVersion:
        return _message(
            request, "Someone else changed this segment since you loaded it; reload it first.", 409
        )
    except EditError as error:
        return _message(request, str(error), 422)
    response = _render_rows(
        request,
        project,
        result.changed,
        neighbours=True,
        deleted_ids=result.deleted_ids,
        created_ids=result.created_ids,
    )
    response.content = (
        _message_html(
            f"{done}{result.edit.label}" if result.edit else "Nothing changed.", "ok", offer
        ).encode()
        + response.content
    )
    focus_id = focus(result) if focus else None
    return _changed_event(request, project, response, focus_id)


def _message_html(text, kind, offer=None):
    return render_to_string(
        "projects/editor.html#editor-message", {"message": text, "kind": kind, "offer": offer, "oob": True}
    )


def _message(request, text, status):
    return HttpResponse(_message_html(text, "error"), status=status)


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _int_or_none(value):
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or abs(number) <= MAX_ID else None


def _bad_ids(request):
    # 422: htmx swaps it like the other refusals, so the message shows in the page (base.html).
    return _message(request, "The request named segments that are not segment ids; nothing was changed.", 422)


@login_required
@require_POST
def segment_insert(request, pk):
    project = _project_for(request, pk, "edit_script")
    try:
        after = _parse_id(request.POST["after"]) if request.POST.get("after") else None
    except BadIds:
        return _bad_ids(request)
    return _structural(
        request,
        project,
        lambda: editing.insert_after(project, after, by=request.user),
        focus=lambda r: r.changed[0].pk,
    )


@login_required
@require_POST
def segment_split(request, pk, segment_pk):
    _segment_in_range(segment_pk)
    project = _project_for(request, pk, "edit_script")
    at_ms = _int_or_none(request.POST.get("at_ms"))
    if at_ms is None and request.POST.get("at_ms"):
        return _message(request, "The split point is not a time in the video; nothing was changed.", 422)
    cursor = _int_or_none(request.POST.get("text_cursor"))
    return _structural(
        request,
        project,
        lambda: editing.split_segment(
            project, segment_pk, version=_version(request), at_ms=at_ms, text_cursor=cursor, by=request.user
        ),
        focus=lambda r: r.changed[-1].pk,
    )


@login_required
@require_POST
def segment_merge(request, pk, segment_pk):
    _segment_in_range(segment_pk)
    project = _project_for(request, pk, "edit_script")
    return _structural(
        request,
        project,
        lambda: editing.merge_with_next(project, segment_pk, version=_version(request), by=request.user),
        focus=lambda r: r.changed[0].pk,
    )


def _selected_ids(request):
    """The selected segments' ids; BadIds if any is not an id (the whole request is refused)."""
    return list(dict.fromkeys(_parse_id(value) for value in request.POST.getlist("segments")))


@login_required
@require_POST
def segments_delete(request, pk):
    project = _project_for(request, pk, "edit_script")
    try:
        ids = _selected_ids(request)
    except BadIds:
        return _bad_ids(request)
    if not ids:
        return _message(request, "Select the segments to delete first.", 422)
    return _structural(request, project, lambda: editing.delete_segments(project, ids, by=request.user))


@login_required
@require_POST
def segments_shift(request, pk):
    project = _project_for(request, pk, "edit_script")
    form = ShiftForm(request.POST)
    if not form.is_valid():
        return _message(request, " ".join(error for errors in form.errors.values() for error in errors), 422)
    try:
        ids = _selected_ids(request)
    except BadIds:
        return _bad_ids(request)
    scope = form.cleaned_data["scope"]
    if scope == "selected" and not ids:
        return _message(request, "Select the segments to shift first.", 422)
    return _structural(
        request,
        project,
        lambda: editing.shift_segments(
            project,
            delta_ms=form.cleaned_data["delta_ms"],
            segment_pks=ids if scope == "selected" else None,
            from_ms=form.cleaned_data["from_ms"] if scope == "from" else None,
            by=request.user,
        ),
    )


@login_required
@require_POST
def segments_speaker(request, pk):
    project = _project_for(request, pk, "edit_script")
    try:
        ids = _selected_ids(request)
        speaker_pk = _parse_id(request.POST["speaker"]) if request.POST.get("speaker") else None
    except BadIds:
        return _bad_ids(request)
    if not ids:
        return _message(request, "Select the segments to give to a speaker first.", 422)
    speaker = (
        get_object_or_404(Speaker.objects.filter(project=project), pk=speaker_pk) if speaker_pk else None
    )
    return _structural(request, project, lambda: editing.set_speaker(project, ids, speaker, by=request.user))


@login_required
@require_POST
def undo(request, pk):
    project = _project_for(request, pk, "undo_own_edits")
    return _structural(
        request, project, lambda: editing.undo(project, by=request.user), done="Undone: ", offer="redo"
    )


@login_required
@require_POST
def redo(request, pk):
    project = _project_for(request, pk, "undo_own_edits")
    return _structural(request, project, lambda: editing.redo(project, by=request.user), done="Redone: ")


@login_required
@require_GET
def quality_summary(request, pk):
    project = _project_for(request, pk, "view")
    return render(
        request,
        "projects/editor.html#quality-summary",
        {"project": project, "urls": editor_urls(project.pk), **selectors.quality_summary(project)},
    )


@login_required
@require_GET
def next_problem(request, pk):
    """{"id": the next segment with a problem after the one given (round to the first), or null}: the
    editor's Next problem reaches every problem, however far down, at the cost of one index read."""
    project = access.get_project_for(request.user, pk, "view")
    try:
        after_start_ms = int(request.GET.get("after_start", "-1"))
        after_id = int(request.GET.get("after_id", "0"))
    except ValueError:
        return JsonResponse({"error": "after_start and after_id must be whole numbers."}, status=400)
    found = script_summary.next_problem_id(
        project,
        after_start_ms=min(max(after_start_ms, -1), MAX_MS),  # clamped: any number is a place in the script
        after_id=min(max(after_id, 0), MAX_ID),
    )
    return JsonResponse({"id": found})


def _find_pattern(data):
    """The find and replace form's options, as a FindPattern (EditError when they make no sense)."""
    return editing.FindPattern(
        data.get("find", ""),
        case_sensitive=bool(data.get("case_sensitive")),
        whole_word=bool(data.get("whole_word")),
        use_regex=bool(data.get("regex")),
    )


REPLACE_PREVIEW_ROWS = 200


@login_required
@require_GET
def replace_preview(request, pk):
    """What Apply would change, segment by segment (the same plan Apply carries out)."""
    project = _project_for(request, pk, "edit_script")
    replacement = request.GET.get("replace", "")
    context = {"project": project, "find": request.GET.get("find", ""), "replacement": replacement,
               "urls": editor_urls(project.pk), "options": {name: bool(request.GET.get(name))
                                                            for name in ("case_sensitive", "whole_word", "regex")}}  # fmt: skip
    status = 200
    try:
        planned = editing.planned_replacements(project, _find_pattern(request.GET), replacement)
    except EditError as error:
        context["replace_error"] = str(error)
        status = 422
    else:
        context.update(preview=planned[:REPLACE_PREVIEW_ROWS], count=len(planned))
    return render(request, "projects/editor.html#replace-preview", context, status=status)


@login_required
@require_POST
def replace_apply(request, pk):
    project = _project_for(request, pk, "edit_script")
    replacement = request.POST.get("replace", "")
    try:
        pattern = _find_pattern(request.POST)
    except EditError as error:
        return _message(request, str(error), 422)
    response = _structural(
        request, project, lambda: editing.replace_text(project, pattern, replacement, by=request.user)
    )
    if response.status_code == 200:  # applied: the preview is history now
        response.content += b'<div id="replace-preview" hx-swap-oob="true"></div>'
    return response
