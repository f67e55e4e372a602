"""The one place a segment's review status changes, and the moves it may make.

A person moves segments along MOVES (request review, approve, request changes), one segment, a
selection, or every segment that needs review and has no open problem (no stored quality flag). An
edit of what was reviewed (text, timing, speaker) sends an approved or changes-requested segment back
to needs review: `reopen_after_edit`, called by every write in services/editing.py.

Each move is recorded like any other edit of the script (a ScriptEdit with the segments before and
after), so it shows in the trail, undo and redo replay it, and the project's review counts
(ScriptSummary) follow in the same transaction. The rows are changed by one conditional UPDATE: only
segments still in a status the move may come from (and, when the person said which version they saw,
still at that version) move; a row that moved on meanwhile is left alone and reported as skipped.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import text_input
from ..models import ReviewStatus, ScriptEdit, Segment
from ..timecodes import format_timecode
from ..wording import counted
from . import notifications, script_summary

Status = ReviewStatus
MAX_REASON_LENGTH = 2000


@dataclass(frozen=True)
class Move:
    to: str
    sources: frozenset
    permission: str  # the action in access.PERMISSIONS that allows it
    verb: str  # for the trail: "Approved 3 segments"


# name → where it goes, where it may come from, and who may make it. Read it as a segment's life:
# a translator asks for review; a reviewer approves or asks for changes (with a reason); a reviewer who
# changes their mind may approve what they sent back, or send back what they approved.
MOVES = {
    "request_review": Move(
        Status.NEEDS_REVIEW, frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}), "request_review",
        "Asked for review of",
    ),
    "approve": Move(
        Status.APPROVED, frozenset({Status.DRAFT, Status.NEEDS_REVIEW, Status.CHANGES_REQUESTED}),
        "review_script", "Approved",
    ),
    "request_changes": Move(
        Status.CHANGES_REQUESTED, frozenset({Status.DRAFT, Status.NEEDS_REVIEW, Status.APPROVED}),
        "review_script", "Asked for changes to",
    ),
}  # fmt: skip

# What an edit of the reviewed content does: these statuses go back to needs review.
REOPENED_BY_EDIT = frozenset({Status.APPROVED, Status.CHANGES_REQUESTED})
# The fields a review looks at: changing any of them is a change the reviewer has not seen.
REVIEWED_FIELDS = ("start_ms", "end_ms", "source_text", "target_text", "speaker_id")


class ReviewError(Exception):
    """The review action cannot be made; the message says why, for a person."""


@dataclass
class ReviewResult:
    moved: list  # the segments that moved, as they are now
    skipped: int  # asked for but not moved (already there, or changed meanwhile)
    edit: ScriptEdit | None

    @property
    def label(self):
        if self.edit is None:
            return "Nothing changed: " + (
                f"{counted(self.skipped, 'segment')} already had that status or changed meanwhile."
                if self.skipped
                else "no segment to change."
            )
        if self.skipped:
            return f"{self.edit.label} ({counted(self.skipped, 'other segment')} left as they were)."
        return self.edit.label


def reopen_after_edit(before, segment):
    """Send `segment` back to needs review if the edit whose state before was `before` (editing.state())
    changed what was reviewed and the segment was approved or had changes requested. True if it did.
    An edit that sets the review status itself is left as it says."""
    if before["review_status"] != segment.review_status or segment.review_status not in REOPENED_BY_EDIT:
        return False
    if all(before[field] == getattr(segment, field) for field in REVIEWED_FIELDS):
        return False
    segment.review_status = Status.NEEDS_REVIEW
    return True


def reopened_note(before, after):
    """For the trail of an edit of many segments: " (3 back to needs review)", or "" when none went back."""
    was = {item["id"]: item["review_status"] for item in before}
    count = sum(
        1
        for item in after
        if item["review_status"] == Status.NEEDS_REVIEW and was.get(item["id"]) in REOPENED_BY_EDIT
    )
    return f" ({count} back to needs review)" if count else ""


def merged_status(statuses):
    """The status of a segment made of others (a merge): draft only when every part was a draft, else
    needs review (what was approved is now part of something nobody reviewed)."""
    return Status.DRAFT if all(status == Status.DRAFT for status in statuses) else Status.NEEDS_REVIEW


def move(project, name, *, by, segment_pks=None, seen_versions=None, only_clean=False, reason=""):
    """Make the move `name` (a key of MOVES) for the given segments, or with `segment_pks` None for
    every segment of the project in a status it may come from (`only_clean`: only those without a
    quality flag, e.g. "approve all needing review that have no open problem": pass the sources).

    `seen_versions` ({pk: version}, optional): a segment someone changed since the person saw it is
    not moved (they would approve what they have not read). Changes requested need a reason.
    A fixed number of queries whatever the number of segments."""
    if name not in MOVES:
        raise ReviewError("Unknown review action.")
    rule = MOVES[name]
    # Only a change request has a reason (an approval's would be stored nowhere).
    reason = (reason or "").replace("\r\n", "\n").strip() if rule.to == Status.CHANGES_REQUESTED else ""
    if rule.to == Status.CHANGES_REQUESTED:
        if not reason:
            raise ReviewError("Say what should change: the reason is what the translator will read.")
        if len(reason) > MAX_REASON_LENGTH:
            raise ReviewError(f"The reason is too long (at most {MAX_REASON_LENGTH} characters).")
        if problem := text_input.problem(reason, "The reason"):
            raise ReviewError(problem)
    if segment_pks is not None and not segment_pks:
        raise ReviewError("Choose the segments first.")
    return _move(project, rule, by, segment_pks, seen_versions or {}, only_clean, reason)


def approve_clean(project, *, by):
    """Approve every segment that needs review and has no open problem (no stored quality flag)."""
    rule = MOVES["approve"]
    return _move(
        project, Move(rule.to, frozenset({Status.NEEDS_REVIEW}), rule.permission, rule.verb), by, None, {},
        True, "",
    )  # fmt: skip


def _candidates(project, rule, segment_pks, only_clean):
    segments = Segment.objects.filter(project=project, review_status__in=rule.sources)
    if segment_pks is not None:
        segments = segments.filter(pk__in=segment_pks)
    if only_clean:
        segments = segments.filter(flags=0)
    return segments


def _move(project, rule, by, segment_pks, seen_versions, only_clean, reason):
    from .editing import STATE_FIELDS, _record

    now = timezone.now()
    with transaction.atomic():
        candidates = _candidates(project, rule, segment_pks, only_clean)
        locked = list(
            candidates.select_for_update().only("id", "version", *STATE_FIELDS).order_by("start_ms", "id")
        )
        stale = {s.pk for s in locked if s.pk in seen_versions and seen_versions[s.pk] != s.version}
        moving = [s for s in locked if s.pk not in stale]
        asked = len(segment_pks) if segment_pks is not None else len(moving)
        if not moving:
            return ReviewResult(moved=[], skipped=asked, edit=None)
        before = [_state(s) for s in moving]
        fields = {
            "review_status": rule.to,
            "version": F("version") + 1,
            "updated_at": now,
            "reviewed_by": by,
            "reviewed_at": now,
        }
        if rule.to == Status.CHANGES_REQUESTED:
            fields["review_reason"] = reason
        # The same condition as the rows locked above (less the stale ones): one statement for any number.
        updated = candidates.exclude(pk__in=stale) if stale else candidates
        if updated.update(**fields) != len(moving):
            # A row became a candidate after the lock (a concurrent edit): take nothing rather than
            # count wrong; the person tries again on what is there now.
            raise ReviewError("The script changed while this was being done; nothing was changed. Try again.")
        for segment in moving:
            segment.review_status = rule.to
            segment.version += 1
        after = [_state(s) for s in moving]
        what = (
            f"the segment at {format_timecode(moving[0].start_ms)}"
            if len(moving) == 1
            else counted(len(moving), "segment")
        )
        why = f": “{reason[:80]}{'…' if len(reason) > 80 else ''}”" if reason else ""  # the trail says why
        edit = _record(project, by, f"{rule.verb} {what}{why}"[:200], before, after)
        script_summary.bump(project, script_summary.state_deltas(before, after))
        if rule.to == Status.NEEDS_REVIEW:
            notifications.review_requested(project, by=by, what=what)
        elif rule.to == Status.CHANGES_REQUESTED:
            notifications.changes_requested(project, [s.pk for s in moving], by=by, what=what, reason=reason)
    return ReviewResult(moved=moving, skipped=asked - len(moving), edit=edit)


def _state(segment):
    from .editing import state

    return state(segment)
