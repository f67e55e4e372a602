"""Reads for the segment review: progress per status (stored counts) and what changed since the last push.

"Changed since the last push" compares the script with the script the last successful re-translation
actually sent (Submission.request, stored as sent), not with timestamps: Segment.updated_at moves on a
review decision (which the provider never sees) and does not move on bulk edits (shift, speaker,
replace: Django's bulk_update leaves auto_now fields alone), and ScriptEdit entries beyond the undo depth
are pruned. The payload is what the provider has, whoever changed what since and however.
"""

from collections import Counter

from .models import ReviewStatus, Segment, Submission
from .services import script_summary

# The order a script moves through review; the bar and the counts follow it.
PROGRESS_ORDER = (
    ReviewStatus.APPROVED,
    ReviewStatus.NEEDS_REVIEW,
    ReviewStatus.CHANGES_REQUESTED,
    ReviewStatus.DRAFT,
)


def progress(project):
    """Counts per review status and their share of the script, from the stored counts (one query)."""
    figures = script_summary.figures(project)
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


def changed_since_last_push(project):
    """(ids of the segments whose timing, text or speaker differ from the last push, that push or None).
    Never pushed: every segment is new to the provider. Two queries; the comparison reads the script's
    ids, timings, texts and speakers once (a filter someone asks for, not something every page pays)."""
    push = last_push(project, with_request=True)
    rows = Segment.objects.filter(project=project).order_by("start_ms", "id")
    rows = rows.values_list("id", "start_ms", "end_ms", "target_text", "speaker__speaker_id")
    if push is None:
        return [pk for pk, *_ in rows], None
    pushed = _pushed_lines(push)
    changed = []
    for pk, *line in rows:
        key = tuple(line)
        if pushed[key] > 0:
            pushed[key] -= 1  # a line sent once matches one segment (two identical lines: two segments)
        else:
            changed.append(pk)
    return changed, push
