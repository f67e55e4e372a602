"""The project's review state: the one place it moves, and what may follow what.

"Submit for review" puts a project in review; "Approve for dubbing" approves it, only when every segment
is approved (read from the stored counts, ScriptSummary: the same cost at 10 and at 30,000 segments). A
change to the script after the approval takes it back to review (`script_edited`, called by every write
path of the script). Each move is one `UPDATE … WHERE id = … AND status IN (<where it may come from>)`, so
two people pressing at once, or an edit landing during an approval, cannot both win; the move is recorded
in the project's activity with who made it.

The push gate (`unapproved`) reads the same counts: a re-translation or a dub is sent when every segment
is approved, otherwise only with a manager's or owner's recorded override (services/submissions.queue).
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from ..models import Project, ScriptSummary
from ..wording import counted
from . import changes, notifications, script_summary

Status = Project.Status


@dataclass(frozen=True)
class Move:
    to: str
    sources: frozenset
    done: str  # the activity line


# The project's review moves. Other statuses (dubbing, delivered, archived) are set on the project's form;
# it cannot set "approved", which only "Approve for dubbing" gives (forms.ProjectForm.clean_status).
MOVES = {
    # a draft, or a project back for another round after dubbing or delivery
    "submit": Move(
        Status.IN_REVIEW,
        frozenset({Status.DRAFT, Status.DUBBING, Status.DELIVERED}),
        "Submitted the project for review",
    ),  # fmt: skip
    # from review only, and only when every segment is approved (checked in the same UPDATE)
    "approve": Move(Status.APPROVED, frozenset({Status.IN_REVIEW}), "Approved the project for dubbing"),
    # any change to the script after the approval
    "reopen": Move(
        Status.IN_REVIEW,
        frozenset({Status.APPROVED}),
        "The script changed after the approval: the project is back in review",
    ),  # fmt: skip
}


class ReviewError(Exception):
    """The move cannot be made; the message says why, for a person."""


def unapproved(project):
    """How many segments are not approved (draft, needing review or with changes requested): one read of
    the stored counts."""
    figures = script_summary.figures(project)
    return figures["segments"] - figures["review"]["approved"]


def can_submit(project):
    return project.status in MOVES["submit"].sources


def can_approve(project):
    return project.status in MOVES["approve"].sources


def submit_for_review(project, *, by):
    if not _move(project, "submit", by=by):
        raise ReviewError(_why_not(project, "submit"))
    notifications.review_requested(project, by=by, what="the script")


def approve_for_dubbing(project, *, by):
    """Approve the project, if every segment is approved; else ReviewError says how many are not."""
    if project.status in MOVES["approve"].sources:
        missing = unapproved(project)
        if missing:
            raise ReviewError(
                f"{counted(missing, 'segment')} {'is' if missing == 1 else 'are'} not approved yet: "
                "every segment must be approved before the project is approved for dubbing."
            )
        if not script_summary.figures(project)["segments"]:
            raise ReviewError("The script has no segments yet: there is nothing to approve.")
    # The counts are checked again in the UPDATE itself: a segment sent back meanwhile wins.
    all_approved = Exists(
        ScriptSummary.objects.filter(project_id=OuterRef("pk"), review_approved=F("segments"), segments__gt=0)
    )
    if not _move(project, "approve", by=by, condition=all_approved):
        raise ReviewError(_why_not(project, "approve"))


def script_edited(project, *, by=None):
    """Call after any change to a project's script: an approved project goes back to review (recorded).

    Cheap for the editor's saves: the project read by the request (access.get_project_for) carries its
    status, and nothing is asked of the database unless it says approved. An approval that lands between
    that read and the edit is not undone by it; it approved a script the approver could see."""
    if isinstance(project, Project):
        project.note_script_change()
    status = getattr(project, "status", None)
    if status is not None and status != Status.APPROVED:
        return False
    return _move(project, "reopen", by=by)


def _move(project, name, *, by, condition=None):
    move = MOVES[name]
    rows = Project.objects.filter(pk=project.pk, status__in=move.sources)
    if condition is not None:
        rows = rows.filter(condition)
    now = timezone.now()
    if not rows.update(status=move.to, updated_at=now, last_change_at=now):
        project.refresh_from_db(fields=["status"])
        return False
    project.status, project.updated_at, project.last_change_at = move.to, now, now
    changes.event(project, by, "review", move.done)
    return True


def _why_not(project, name):
    current = Status(project.status).label.lower()
    if name == "approve" and project.status == Status.APPROVED:
        return "The project is already approved for dubbing."
    if name == "approve" and project.status in MOVES["approve"].sources:
        return "Some segments are no longer approved: look at the script again."
    if name == "approve":
        return f"The project is {current}: submit it for review before approving it."
    if project.status == Status.IN_REVIEW:
        return "The project is already in review."
    return f"A project that is {current} cannot be submitted for review."
