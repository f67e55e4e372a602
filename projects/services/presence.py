"""Who else has a project's editor open, and what they changed meanwhile.

Each open editor asks every few seconds (POST projects:presence) with the segment it is on; the answer
names the others and brings the rows that changed since its last question. Stored in the database (one
row per person and project), not in a process's memory: gunicorn runs several processes, and the one
that answers a poll is rarely the one that took the previous one.

Cost per poll, whatever the script's length: one read of the fresh presences (with the names; raw SQL,
no model instances), an upsert only when this person moved or is getting old, one indexed read of the
rows changed since the cursor (segment_changed index, each with the end of the row before it for the
flags), and one indexed read of the segments that edits made since then deleted (EditedSegment).
When nothing changed, the last two find nothing in their index and the answer carries no row.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from .. import selectors
from ..models import Presence

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


# Every poll reads this: raw, as access.get_project_for (the ORM's join costs more to build than to run,
# and thirty model instances a poll more than the names they carry).
_OTHERS_SQL = """
SELECT presence.user_id, presence.segment_id, presence.seen_at < %s AS stale,
       person.first_name, person.last_name, person.username
FROM projects_presence AS presence JOIN {users} AS person ON person.id = presence.user_id
WHERE presence.project_id = %s AND presence.seen_at >= %s
ORDER BY person.first_name, person.username
"""


def check_in(project, user, segment_id, *, now=None):
    """Note where `user` is (writing only when that changed or is getting old) and return the others
    with the editor open, by name. Two queries at most; one when nothing changed."""
    now = now or timezone.now()
    sql = _OTHERS_SQL.format(users=connection.ops.quote_name(get_user_model()._meta.db_table))
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now - REFRESH_AFTER), project.pk, adapt(now - GONE_AFTER)])
        presences = cursor.fetchall()
    others, write = [], True
    for user_id, at_segment, stale, first_name, last_name, username in presences:
        if user_id == user.pk:
            write = at_segment != segment_id or bool(stale)
        else:
            others.append(Other(user_id, f"{first_name} {last_name}".strip() or username, at_segment))
    if write:
        heartbeat(project, user, segment_id, now=now)
    return others


# The segments that edits made after a moment touched and that are no longer there: the edits by the
# (project, created_at) index, their segments by EditedSegment's (edit, segment_id) one. Raw for the
# same reason as _OTHERS_SQL.
_GONE_SQL = """
SELECT DISTINCT link.segment_id FROM projects_editedsegment AS link
JOIN projects_scriptedit AS edit ON edit.id = link.edit_id
WHERE edit.project_id = %s AND edit.created_at > %s
      AND NOT EXISTS (SELECT 1 FROM projects_segment AS segment WHERE segment.id = link.segment_id)
LIMIT %s
"""


def changes_since(project, since, *, now=None):
    """The rows changed since `since` (None: nothing yet, just the cursor) and the ids of rows deleted.
    Two index reads, which find nothing when nothing changed."""
    now = now or timezone.now()
    if since is None:
        return Changes(cursor=now)
    after = since - OVERLAP
    rows = selectors.changed_rows(project, after, MAX_ROWS + 1)
    if len(rows) > MAX_ROWS:
        return Changes(too_many=True, cursor=now)
    # Deleted rows leave no row to read: the edits since name the segments they touched (undo and redo
    # are edits too), and those no longer there are gone.
    with connection.cursor() as cursor:
        cursor.execute(_GONE_SQL, [project.pk, connection.ops.adapt_datetimefield_value(after), MAX_ROWS + 1])
        gone = [segment_id for (segment_id,) in cursor.fetchall()]
    if len(gone) > MAX_ROWS:
        return Changes(too_many=True, cursor=now)
    return Changes(rows=rows, gone_ids=sorted(gone), cursor=now)
