"""The one place a provider job's status changes, and the moves it may make.

A worker reads a Submission, lets go of the row lock, talks to the provider for seconds, then records what
it learnt. Meanwhile a person may have pressed "Stop following", or a webhook's check may have ended the
job. Saving the worker's whole (stale) copy would undo that. So every status change is one
`UPDATE … WHERE id = … AND status = <the status this copy saw>`, allowed only along ALLOWED, writing the
named fields alone; a move that lost the race changes nothing and says so (returns False).
"""

from django.utils import timezone

from ..models import Submission

Status = Submission.Status

# from → the statuses it may move to. Read it as the job's life:
ALLOWED = {
    # queued by a person; claimed by one worker; or stopped before it left
    Status.QUEUED: {Status.SENDING, Status.CANCELLED},
    # being sent: accepted (then followed), done at once, refused, turned away by a busy provider (queued
    # again for later), or sent again after a crash (Dubformer only: it dedupes by the Idempotency-Key)
    Status.SENDING: {
        Status.SENDING,
        Status.WAITING,
        Status.SUCCEEDED,
        Status.FAILED,
        Status.QUEUED,
        Status.CANCELLED,
    },
    # followed: checked again later, or ended
    Status.WAITING: {Status.WAITING, Status.SUCCEEDED, Status.FAILED, Status.CANCELLED},
    # a job that failed while it was followed may still be finishing at the provider: its webhook, or
    # "Check again", follows it again (services.submissions.follow_again), and a success is then taken
    Status.FAILED: {Status.WAITING},
    Status.SUCCEEDED: set(),
    Status.CANCELLED: set(),
}


class IllegalTransition(RuntimeError):
    """dubweb's own code asked for a move ALLOWED does not have: a bug, not a race."""


def allowed(source, to):
    return to in ALLOWED.get(source, ())


def transition(submission, to, **fields):
    """Move `submission` from the status it was read with to `to`, writing `fields` with it (and nothing
    else of the row). Returns whether the move happened: False when the row has moved on since it was read
    (the other change wins). The in-memory copy is updated only when it happened."""
    source = submission.status
    if not allowed(source, to):
        raise IllegalTransition(f"A job cannot go from {source} to {to}.")
    now = timezone.now()
    moved = Submission.objects.filter(pk=submission.pk, status=source).update(
        status=to, updated_at=now, **fields
    )
    if moved:
        submission.status = to
        submission.updated_at = now
        for name, value in fields.items():
            setattr(submission, name, value)
    return bool(moved)
