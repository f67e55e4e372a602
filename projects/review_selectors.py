"""Reads for the segment review: progress per status (stored counts) and what changed since the last push.

"Changed since the last push" compares the script with the script the last successful re-translation
actually sent (Submission.request, stored as sent), not with timestamps: Segment.updated_at moves on a
review decision (which the provider never sees) and does not move on bulk edits (shift, speaker,
replace: Django's bulk_update leaves auto_now fields alone), and ScriptEdit entries beyond the undo depth
are pruned. The payload is what the provider has, whoever changed what since and however.
"""

from collections import Counter

from django.db.models import Exists, OuterRef, Q, Subquery

from . import quality
from .models import Assignment, Membership, ReviewStatus, Role, Segment, Submission
from .selectors import _ROW_FIELDS
from .services import script_summary


def reviewer_ids(project):
    """Whose review a project's segments wait for (user ids, a query to run or nest): the people assigned
    to review it, else the team's reviewers. "Request review" asks them (notifications.review_requested),
    "Needs my review" in the editor shows them what waits (selectors.EditorFilters), and My work lists
    the project for them (selectors.my_work, the same rule for many projects at once)."""
    assigned = Assignment.objects.filter(project_id=project.pk, task=Assignment.Task.REVIEW)
    return (
        Membership.objects.filter(team_id=project.team_id)
        .filter(Q(user_id__in=assigned.values("user_id")) | (Q(role=Role.REVIEWER) & ~Exists(assigned)))
        .values_list("user_id", flat=True)
    )


# The order a script moves through review; the bar and the counts follow it.
PROGRESS_ORDER = (
    ReviewStatus.APPROVED,
    ReviewStatus.NEEDS_REVIEW,
    ReviewStatus.CHANGES_REQUESTED,
    ReviewStatus.DRAFT,
)


def progress(project, figures=None):
    """Counts per review status and their share of the script, from the stored counts (one query, none
    when the caller passes script_summary.figures(project))."""
    figures = figures or script_summary.figures(project)
    total = figures["segments"]
    steps = []
    offset = 0
    for status in PROGRESS_ORDER:
        count = figures["review"][status]
        steps.append({"status": status.value, "label": status.label, "count": count, "offset": offset,
                      "percent": round(100 * count / total) if total else 0})  # fmt: skip
        offset += count
    return {"total": total, "steps": steps, "review": figures["review"]}


def last_push(project, *, with_request=False):
    """The last re-translation the provider accepted and finished (its request is the script it has)."""
    fields = ("id", "finished_at", "sent_at", "created_at", *(("request",) if with_request else ()))
    return (
        Submission.objects.filter(
            project=project,
            kind=Submission.Kind.RETRANSLATE,
            status=Submission.Status.SUCCEEDED,
            request__isnull=False,
        )
        .only(*fields)
        .order_by("-finished_at", "-id")
        .first()
    )


def _pushed_lines(submission):
    lines = (submission.request or {}).get("target_script") or []
    return Counter(
        (line.get("start_ms"), line.get("end_ms"), line.get("text"), line.get("speaker_id"))
        for line in lines
        if isinstance(line, dict)
    )


def rows_of(project, segments):
    """(segment, flags) for these segments, wherever they are in the script: one query (each with the end of
    the segment before it, for the overlap and gap checks), not a read of the stretch between them."""
    before = (
        Segment.objects.filter(project_id=OuterRef("project_id"), start_ms__lte=OuterRef("start_ms"))
        .exclude(start_ms=OuterRef("start_ms"), id__gte=OuterRef("id"))
        .order_by("-start_ms", "-id")
        .values("end_ms")[:1]
    )
    found = (
        Segment.objects.filter(project=project, pk__in=[segment.pk for segment in segments])
        .only(*_ROW_FIELDS)
        .annotate(previous_end=Subquery(before))
        .order_by("start_ms", "id")
    )
    thresholds = script_summary.thresholds_of(project)
    return [
        (segment, quality.check_segment(
            segment, None if segment.previous_end is None else Segment(start_ms=0, end_ms=segment.previous_end),
            thresholds, video_duration_ms=project.video_duration_ms,
        ))
        for segment in found
    ]  # fmt: skip


def changed_since_last_push(project):
    """(ids of the segments whose timing, text or speaker differ from the last push, that push), or
    (None, None) when the project was never pushed: then every segment is new to the provider. Two
    queries; the comparison reads the script's ids, timings, texts and speakers once (a filter someone
    asks for, not something every page pays)."""
    push = last_push(project, with_request=True)
    if push is None:
        return None, None
    rows = Segment.objects.filter(project=project).order_by("start_ms", "id")
    rows = rows.values_list("id", "start_ms", "end_ms", "target_text", "speaker__speaker_id")
    pushed = _pushed_lines(push)
    changed = []
    for pk, *line in rows:
        key = tuple(line)
        if pushed[key] > 0:
            pushed[key] -= 1  # a line sent once matches one segment (two identical lines: two segments)
        else:
            changed.append(pk)
    return changed, push
