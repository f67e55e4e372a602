"""The activity feeds of a project and of a team: one list, newest first, paginated, whatever it mixes.

Entries come from *sources*, each a queryset giving the same columns (FEED_COLUMNS), unioned in SQL so
that one page costs the same few queries at 10 entries and at 100,000: where the page's window of
recent edits starts (one index read), the page of the union (ORDER BY at DESC LIMIT/OFFSET) over that
window, the segments the page's edits touched (one index read of those edits' links), then the people
and projects it names (two look-ups). No total count: it would read it all.

Built-in sources:
- "edits": the audit trail (ScriptEdit), grouped per person, project, kind and minute, so that a
  burst of typing reads "Elena edited 7 segments · 10:42" and not 40 lines;
- "activity": the Activity events (jobs asked for, finished, stopped).

Adding a source (reviews, comments…), from the feature's own module:

    from projects import feed

    def review_entries(project_ids, since):
        reviews = Review.objects.filter(segment__project_id__in=project_ids)
        if since is not None:  # a page reads only what is recent enough to be on it
            reviews = reviews.filter(created_at__gte=since)
        return feed.entries(
            reviews,
            source="reviews", at="created_at", user="reviewer_id", project="segment__project_id",
            kind="decision", text="reason",
        )

    feed.register("reviews", review_entries, describe=lambda entry: f"reviewed a segment: {entry.text}")

and import that module once at start-up (the app's AppConfig.ready). `describe(entry)` turns one row
into the words after the person's name; without it, `text` is shown as it is (plain text: escaped).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, F, Func, Max, Min, Q, Value

from .models import Activity, Project, ScriptEdit
from .wording import counted

FEED_COLUMNS = ("source", "ref", "at", "user_ref", "project_ref", "kind", "text", "changes", "segments")
PER_PAGE = 30


@dataclass
class Source:
    name: str
    entries: Callable  # (project_ids queryset) -> queryset with FEED_COLUMNS
    describe: Callable | None = None


_SOURCES = {}


def register(name, entries_of, *, describe=None):
    """Add (or replace) a source of feed entries: see the module's docstring."""
    _SOURCES[name] = Source(name, entries_of, describe)


def entries(queryset, *, source, at, user, project, kind, text, ref="pk", changes=None, segments=None):
    """`queryset` as feed rows: each argument names the field (or gives the expression) for a column;
    `kind` and `text` may also be fixed words (wrap them in Value)."""

    def column(value):
        return F(value) if isinstance(value, str) else value

    return (
        queryset.order_by()
        .annotate(
            source=Value(source, output_field=models.CharField()),
            ref=column(ref),
            at=column(at),
            user_ref=column(user),
            project_ref=column(project),
            kind=column(kind),
            text=column(text),
            changes=changes if changes is not None else Value(1, output_field=models.BigIntegerField()),
            segments=segments if segments is not None else Value(0, output_field=models.BigIntegerField()),
        )
        .values(*FEED_COLUMNS)
    )


@dataclass
class Entry:
    source: str
    ref: int
    at: datetime.datetime
    user_ref: int | None
    project_ref: int
    kind: str
    text: str
    changes: int
    segments: int
    user: object = None
    project: object = None
    words: str = ""

    @property
    def who(self):
        if self.user is None:
            return "Someone" if self.user_ref else "dubweb"
        return self.user.get_full_name() or self.user.username


class Minute(Func):
    """A timestamp cut to its minute, in the database's own code: Django's TruncMinute calls back into
    Python for every row on SQLite, which made grouping 100,000 edits take seconds."""

    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="strftime('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M', %(expressions)s)"
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="date_trunc('minute', %(expressions)s)")


def _edit_entries(project_ids, since=None):
    """The trail, one row per person, project, kind of change and minute. `segments` holds the group's
    first edit id here: how many segments the group touched is counted for the page's entries only
    (_count_segments), not joined in for the whole window (on PostgreSQL that join read every link of
    the trail once it was large: 300,000 rows for a page of 30)."""
    edits = ScriptEdit.objects.filter(project_id__in=project_ids)
    if since is not None:
        edits = edits.filter(created_at__gte=since)
    grouped = (
        edits.order_by()
        .annotate(minute=Minute("created_at"))
        .values("project_id", "user_id", "kind", "minute")
        .annotate(
            source=Value("edits", output_field=models.CharField()),
            ref=Max("id"),
            at=Max("created_at"),
            user_ref=F("user_id"),
            project_ref=F("project_id"),
            text=Max("label"),
            changes=Count("id"),
            segments=Min("id"),
        )
    )
    return grouped.values(*FEED_COLUMNS)


def _describe_edits(entry):
    if entry.changes == 1:
        return _sentence(entry.text)
    many = counted(entry.changes, "change")
    if entry.kind == ScriptEdit.Kind.SEGMENTS:
        return f"edited {counted(entry.segments, 'segment')}" + (
            f" ({many})" if entry.changes != entry.segments else ""
        )
    if entry.kind == ScriptEdit.Kind.RESTORE:
        return f"restored earlier versions of {counted(entry.segments, 'segment')}"
    if entry.kind == ScriptEdit.Kind.UNDO:
        return f"undid {counted(entry.changes, 'edit')} ({counted(entry.segments, 'segment')})"
    if entry.kind == ScriptEdit.Kind.REDO:
        return f"redid {counted(entry.changes, 'edit')} ({counted(entry.segments, 'segment')})"
    if entry.kind == ScriptEdit.Kind.SPEAKERS:
        return f"made {many} to the speakers"
    if entry.kind == ScriptEdit.Kind.PROJECT:
        return f"made {many} to the project's settings"
    return f"made {many} to the script"


def _sentence(text):
    """A trail label ("Changed the text at …") as the words after a name ("changed the text at …")."""
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _activity_entries(project_ids, since=None):
    events = Activity.objects.filter(project_id__in=project_ids)
    if since is not None:
        events = events.filter(created_at__gte=since)
    return entries(
        events,
        source="activity", at="created_at", user="actor_id", project="project_id", kind="verb", text="message",
    )  # fmt: skip


register("edits", _edit_entries, describe=_describe_edits)
# Job events are whole statements ("Re-translation finished"), not a verb after a name.
register("activity", _activity_entries, describe=lambda entry: f"— {entry.text}")


class FeedPage:
    """One page of a feed: `entries` (Entry, with `user`, `project` and `words` filled), its `number`
    and whether there are newer and older pages. No total: counting a long feed would read all of it."""

    def __init__(self, entries, number, has_next):
        self.entries = entries
        self.number = number
        self.has_previous = number > 1
        self.has_next = has_next
        self.previous_page_number = number - 1
        self.next_page_number = number + 1

    @property
    def has_other_pages(self):
        return self.has_previous or self.has_next


def _union(project_ids, since):
    sources = [source.entries(project_ids, since) for source in _SOURCES.values()]
    combined = sources[0].union(*sources[1:], all=True) if len(sources) > 1 else sources[0]
    return combined.order_by("-at", "-ref")


# A page reads only the newest edits that can make it: WINDOW_EDITS per entry it needs (minute-grouped
# bursts collapse many edits into one entry), from a minute boundary. Too few entries in that window
# (a very busy minute, or the feed's end) and it reads again without the window.
WINDOW_EDITS = 40


def _rows(project_ids, offset, count):
    """`count` feed rows from `offset`, newest first (dicts of FEED_COLUMNS)."""
    needed = offset + count
    edits = ScriptEdit.objects.filter(project_id__in=project_ids)
    if not isinstance(project_ids, list | tuple) or len(project_ids) > 1:
        # Many projects (a team's): walk the trail from the newest back (scriptedit_time) keeping theirs.
        # SQLite's planner would gather every edit of every project through the project index and sort
        # them all; `project_id + 0` is not indexed, so it walks by time, as PostgreSQL does anyway.
        edits = ScriptEdit.objects.alias(project_ref=F("project_id") + 0).filter(project_ref__in=project_ids)
    cutoff = (
        edits.order_by("-created_at")
        .values_list("created_at", flat=True)[needed * WINDOW_EDITS : needed * WINDOW_EDITS + 1]
        .first()
    )
    if cutoff is not None:  # a minute boundary: groups in the window are whole
        since = cutoff.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        rows = list(_union(project_ids, since)[offset:needed])
        if len(rows) == count:
            return rows
    return list(_union(project_ids, None)[offset:needed])


def feed_page(project_ids, page_number, *, per_page=PER_PAGE):
    """The page `page_number` (1 when it is not a page number) of the feed of the projects
    `project_ids` (a queryset of project ids, or a list)."""
    try:
        number = max(1, int(page_number))
    except (TypeError, ValueError):
        number = 1
    rows = _rows(project_ids, (number - 1) * per_page, per_page + 1)  # one more: is there an older page?
    return FeedPage(_resolved([Entry(**row) for row in rows[:per_page]]), number, len(rows) > per_page)


def latest(project_ids, limit):
    """The newest `limit` entries (for a box on another page)."""
    return _resolved([Entry(**row) for row in _rows(project_ids, 0, limit)])


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


def _count_segments(rows):
    """Replace each edit group's first edit id (in `segments`) by the number of segments its edits
    touched: one read of those edits (by id range, the primary key) and their links (the edit-id index)."""
    groups = [row for row in rows if row.source == "edits"]
    if not groups:
        return
    wanted = Q()
    for row in groups:
        wanted |= Q(id__gte=row.segments, id__lte=row.ref, project_id=row.project_ref, user_id=row.user_ref,
                    kind=row.kind)  # fmt: skip
    # The span of ids the page covers, as an index range for the database; the groups within it.
    span = Q(id__gte=min(row.segments for row in groups), id__lte=max(row.ref for row in groups))
    touched = {}
    links = (
        ScriptEdit.objects.filter(span, wanted)
        .order_by()
        .values_list("project_id", "user_id", "kind", "created_at", "segment_links__segment_id")
    )
    for project_id, user_id, kind, at, segment_id in links:
        segments = touched.setdefault((project_id, user_id, kind, _minute(at)), set())
        if segment_id is not None:
            segments.add(segment_id)
    for row in groups:
        row.segments = len(touched.get((row.project_ref, row.user_ref, row.kind, _minute(row.at)), ()))


def _resolved(rows):
    """The entries with their people, projects and words (three queries, whatever the number)."""
    _count_segments(rows)
    users = get_user_model().objects.in_bulk({row.user_ref for row in rows if row.user_ref})
    projects = Project.objects.only("title").in_bulk({row.project_ref for row in rows})
    for row in rows:
        row.user = users.get(row.user_ref)
        row.project = projects.get(row.project_ref)
        source = _SOURCES.get(row.source)
        row.words = source.describe(row) if source and source.describe else row.text
    return rows


def project_feed(project, page_number=1, **options):
    return feed_page([project.pk], page_number, **options)


def team_feed(team, page_number=1, **options):
    return feed_page(Project.objects.filter(team=team).values("pk"), page_number, **options)
