"""Who else has a project's editor open, and what they changed meanwhile.

Each open editor asks every few seconds (POST projects:presence) with the segment it is on; the answer
names the others and brings the rows that changed since its last question. Stored in the database (one
row per person and project), not in a process's memory: gunicorn runs several processes, and the one
that answers a poll is rarely the one that took the previous one.

Cost per poll, whatever the script's length: one upsert, one read of the fresh presences, one indexed
read of the rows changed since the cursor (segment_changed index), one read of the edits made since.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from ..models import Presence, ScriptEdit, Segment

# An editor polls every POLL_SECONDS; someone not heard from for GONE_AFTER has closed the page.
POLL_SECONDS = 4
GONE_AFTER = timedelta(seconds=POLL_SECONDS * 4)
# A save that began before a poll's read may commit just after it: each poll looks this far back
# (the client keeps a row only if its version is newer than the one it shows, so a row sent twice is harmless).
OVERLAP = timedelta(seconds=1)
# More changes than this since the last poll: the editor offers to reload the rows instead.
MAX_ROWS = 60


@dataclass
class Other:
    user_id: int
    name: str
    segment_id: int | None


@dataclass
class Changes:
    rows: list = field(default_factory=list)  # Segments changed since the cursor
    gone_ids: list = field(default_factory=list)  # segments deleted since the cursor
    too_many: bool = False
    cursor: datetime | None = None


def person_name(user):
    return user.get_full_name() or user.get_username()


# A person still on the same segment is written down again only this often (a write per poll would be a
# commit per poll); GONE_AFTER leaves room for two of these.
REFRESH_AFTER = timedelta(seconds=POLL_SECONDS * 2 - 1)


def heartbeat(project, user, segment_id, *, now=None):
    """Note that `user` has the editor open on `segment_id` (or on no segment)."""
    Presence.objects.bulk_create(
        [
            Presence(
                project_id=project.pk, user_id=user.pk, segment_id=segment_id, seen_at=now or timezone.now()
            )
        ],
        update_conflicts=True,
        unique_fields=["project", "user"],
        update_fields=["segment_id", "seen_at"],
    )


def leave(project, user):
    Presence.objects.filter(project_id=project.pk, user_id=user.pk).delete()


def check_in(project, user, segment_id, *, now=None):
    """Note where `user` is (writing only when that changed or is getting old) and return the others
    with the editor open, by name. Two queries at most; one when nothing changed."""
    now = now or timezone.now()
    presences = list(
        Presence.objects.filter(project_id=project.pk, seen_at__gte=now - GONE_AFTER)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )
    mine = next((p for p in presences if p.user_id == user.pk), None)
    if mine is None or mine.segment_id != segment_id or now - mine.seen_at > REFRESH_AFTER:
        heartbeat(project, user, segment_id, now=now)
    return [Other(p.user_id, person_name(p.user), p.segment_id) for p in presences if p.user_id != user.pk]


def changes_since(project, since, *, now=None):
    """The rows changed since `since` (None: nothing yet, just the cursor) and the ids of rows deleted."""
    now = now or timezone.now()
    if since is None:
        return Changes(cursor=now)
    after = since - OVERLAP
    rows = list(
        Segment.objects.filter(project_id=project.pk, updated_at__gt=after)
        .select_related("speaker")
        .order_by("start_ms", "id")[: MAX_ROWS + 1]
    )
    if len(rows) > MAX_ROWS:
        return Changes(too_many=True, cursor=now)
    # Deleted rows leave no row to read: the edits since name the segments they touched.
    touched = set()
    edits = ScriptEdit.objects.filter(project_id=project.pk).filter(
        Q(created_at__gt=after) | Q(undone_at__gt=after)
    )
    for before, after_state in edits.values_list("before", "after")[:MAX_ROWS]:
        touched.update(state["id"] for state in (before or []) + (after_state or []) if "id" in state)
    still_there = (
        set(Segment.objects.filter(pk__in=touched).values_list("pk", flat=True)) if touched else set()
    )
    return Changes(rows=rows, gone_ids=sorted(touched - still_there), cursor=now)
