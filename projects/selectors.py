"""Reads for the screens: one place per screen, a fixed number of queries whatever the data size."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from . import access, text_search
from .models import (
    Assignment,
    Membership,
    ReviewStatus,
    ScriptImport,
    ScriptSnapshot,
    ScriptSummary,
    Segment,
    Speaker,
)
from .people import display_name


def _count_of(model):
    """A correlated COUNT(*) of `model` rows of the outer project (no join fan-out between counts)."""
    return Coalesce(
        Subquery(
            model.objects.filter(project=OuterRef("pk"))
            .order_by()
            .values("project")
            .annotate(count=Count("pk"))
            .values("count"),
            output_field=IntegerField(),
        ),
        0,
    )


def project_list(user, *, q="", status="", language="", team="", mine=False):
    my_assignments = Assignment.objects.filter(project=OuterRef("pk"), user=user)
    projects = (
        access.projects_for(user)
        .select_related("team")
        .annotate(
            # The stored count (ScriptSummary), not a count of the script: 30 or 30,000 segments cost the same.
            segment_count=Coalesce(
                Subquery(ScriptSummary.objects.filter(project=OuterRef("pk")).values("segments")[:1]), 0
            ),
            speaker_count=_count_of(Speaker),
            assigned_to_me=Exists(my_assignments),
            # The nearest due date of the person's own assignments on it.
            my_due=Subquery(
                my_assignments.exclude(due_date=None).order_by("due_date").values("due_date")[:1]
            ),
        )
        .prefetch_related(
            Prefetch("speakers", queryset=Speaker.objects.only("project_id", "name", "speaker_id"))
        )
        # The stored last change (Project.last_change_at): no lookup of each project's newest edit.
        .order_by("-last_change_at", "-id")
    )
    if q:
        projects = projects.filter(Q(title__icontains=q) | Q(dubformer_project_id__iexact=q))
    if status:
        projects = projects.filter(status=status)
    if language:
        projects = projects.filter(Q(target_language=language) | Q(source_language=language))
    if mine:
        projects = projects.filter(assigned_to_me=True)
    if team:
        projects = projects.filter(team__slug=team)
    return projects


def project_trail(project, *, limit):
    """Who did what, newest first: the project's feed (projects/feed.py), its first `limit` entries."""
    from . import feed

    return feed.latest([project.pk], limit)


PROJECT_PAGE_ROWS = 20


def project_page(project):
    """Everything the project page shows beside the project itself: the script in figures (stored
    counts) and its first rows, never the whole script; the editor is one click away."""
    from .services import script_summary

    # Read first: a project never counted is counted now, its speakers' line counts with it.
    figures = script_summary.figures(project)
    # Each speaker's lines are stored counts (Speaker.line_count), kept on write: no reading the script.
    speakers = list(project.speakers.order_by("speaker_id"))
    first_rows = list(
        Segment.objects.filter(project=project)
        .select_related("speaker")
        .only(
            "start_ms",
            "end_ms",
            "source_text",
            "target_text",
            "review_status",
            "speaker__name",
            "speaker__speaker_id",
        )
        .order_by("start_ms", "id")[:PROJECT_PAGE_ROWS]
    )
    return {
        "speakers": speakers,
        "first_rows": first_rows,
        "script": script_figures(project, figures),
        "activities": project_trail(project, limit=10),
        "snapshots": list(
            ScriptSnapshot.objects.filter(project=project).select_related("created_by").defer("data")[:5]
        ),
        "pending_imports": list(
            # Not the imports kept after a refusal for broken blocks: the refusal's page offers those.
            ScriptImport.objects.filter(
                project=project, status=ScriptImport.Status.PENDING, skipped_blocks=0
            ).defer("data")[:3]
        ),
    }


def script_figures(project, figures):
    """The stored counts as the project page shows them: problems by kind (most first), review progress."""
    from . import quality
    from .models import ReviewStatus

    total = figures["segments"]
    problems = sorted(
        ((quality.FLAG_KINDS[kind], count, kind) for kind, count in figures["flags"].items() if count),
        key=lambda item: -item[1],
    )
    reviewed = [
        (label, figures["review"][value], value)
        for value, label in ReviewStatus.choices
        if figures["review"][value]
    ]
    approved = figures["review"][ReviewStatus.APPROVED]
    return {
        "segments": total,
        "problems": problems,
        "review": reviewed,
        "approved": approved,
        "approved_percent": round(100 * approved / total) if total else 0,
    }


# --- the editor ------------------------------------------------------------------------------------------

# The page brings the first screen of rows; the rest streams in after it, in larger chunks.
FIRST_SCREEN = 40
EDITOR_CHUNK = 150
FILTERED_LIMIT = 1000

_ROW_FIELDS = ("project_id", "start_ms", "end_ms", "source_text", "target_text", "speaker_id", "version",
               "review_status", "review_reason", "reviewed_by_id", "open_comment_count")  # fmt: skip


# The review filter's "Needs my review": the segments needing review, in a project whose review is the
# person's (review_selectors.reviewer_ids); none in a project whose review is asked of others.
MY_REVIEW = "my_review"


class EditorFilters:
    """What the editor's find and filter bar asks for, read leniently from a query string."""

    def __init__(self, q="", speaker="", status="", flag="", changed="", comments=""):
        self.q, self.speaker, self.status, self.flag = q, speaker, status, flag
        self.changed = changed  # "push": only segments that differ from the last push (review_selectors)
        self.comments = comments  # "open": only segments with an open comment thread (a stored count)

    @classmethod
    def from_query(cls, query):
        from . import quality
        from .models import ReviewStatus

        status = query.get("status", "")
        flag = query.get("flag", "")
        speaker = query.get("speaker", "")
        return cls(
            q=query.get("q", "").strip()[:200],
            speaker=speaker if speaker == "none" or speaker.isdigit() else "",
            status=status if status in ReviewStatus.values or status == MY_REVIEW else "",
            flag=flag if flag in quality.FLAG_KINDS else "",
            changed="push" if query.get("changed") == "push" else "",
            comments="open" if query.get("comments") == "open" else "",
        )

    @property
    def active(self):
        return bool(self.q or self.speaker or self.status or self.flag or self.changed or self.comments)

    def query_string(self):
        """The filters as a query string, for the next page of matches."""
        from django.utils.http import urlencode

        values = {"q": self.q, "speaker": self.speaker, "status": self.status, "flag": self.flag,
                  "changed": self.changed, "comments": self.comments}  # fmt: skip
        return urlencode({name: value for name, value in values.items() if value})


def speakers_of(project):
    """The project's speakers in id order: read with the project when the editor asked for them
    (access.get_project_for(with_speakers=True)), else in a raw query, cheaper to build than the ORM's."""
    if hasattr(project, "speaker_list"):
        return project.speaker_list
    return list(
        Speaker.objects.raw(
            "SELECT id, project_id, speaker_id, name, style, voice_key, modelslab_voice_id "
            "FROM projects_speaker WHERE project_id = %s ORDER BY speaker_id",
            [project.pk],
        )
    )


def _editor_segments(project):
    return Segment.objects.filter(project=project).only(*_ROW_FIELDS).order_by("start_ms", "id")


_FIRST_ROWS_SQL = f"""
SELECT id, {", ".join(_ROW_FIELDS)} FROM projects_segment
WHERE project_id = %s ORDER BY start_ms, id LIMIT %s
"""  # noqa: S608 (constant column names only)


def with_previous_end(segments):
    """`segments` with `previous_end`: the end of the row before each in the script (an index lookup a
    row, in the same query), for the overlap and gap flags of rows that are not read in a run."""
    before = (
        Segment.objects.filter(project_id=OuterRef("project_id"), start_ms__lte=OuterRef("start_ms"))
        .exclude(start_ms=OuterRef("start_ms"), id__gte=OuterRef("id"))
        .order_by("-start_ms", "-id")
        .values("end_ms")[:1]
    )
    return segments.annotate(previous_end=Subquery(before))


def flagged_apart(project, segments):
    """(segment, flags) for segments read `with_previous_end` (not necessarily next to each other)."""
    rows = []
    for segment in segments:
        previous = None if segment.previous_end is None else Segment(start_ms=0, end_ms=segment.previous_end)
        rows.extend(_with_flags(project, [segment], previous))
    return rows


# Raw, as the editor's first rows: the presence poll asks this every few seconds per open editor, and
# the ORM took fifty times longer to build it than the database to answer it (an index read that
# usually finds nothing). "start_ms <= X AND NOT (…)": see services/editing.py's neighbours.
_CHANGED_ROWS_SQL = f"""
SELECT id, {", ".join(_ROW_FIELDS)},
       (SELECT before.end_ms FROM projects_segment AS before
        WHERE before.project_id = segment.project_id AND before.start_ms <= segment.start_ms
              AND NOT (before.start_ms = segment.start_ms AND before.id >= segment.id)
        ORDER BY before.start_ms DESC, before.id DESC LIMIT 1) AS previous_end
FROM projects_segment AS segment
WHERE project_id = %s AND updated_at > %s ORDER BY start_ms, id LIMIT %s
"""  # noqa: S608 (constant column names only)


def changed_rows(project, after, limit):
    """Up to `limit` of the project's rows changed after `after` (the segment_changed index), in script
    order, each with `previous_end` (for flagged_apart): what the presence poll sends the other editors."""
    params = [project.pk, connection.ops.adapt_datetimefield_value(after), limit]
    return list(Segment.objects.raw(_CHANGED_ROWS_SQL, params))


def previous_segment(segment):
    return (
        Segment.objects.filter(project_id=segment.project_id)
        .filter(Q(start_ms__lt=segment.start_ms) | Q(start_ms=segment.start_ms, id__lt=segment.pk))
        .only("start_ms", "end_ms")
        .order_by("-start_ms", "-id")
        .first()
    )


def _with_flags(project, segments, previous):
    from . import quality

    rows = []
    for segment in segments:
        flags = quality.check_segment(
            segment, previous, project.thresholds, video_duration_ms=project.video_duration_ms
        )
        rows.append((segment, flags))
        previous = segment
    return rows


def _chunk_after(project, cursor, limit):
    """Rows after the cursor "START.ID" (from the start when empty), with the previous row for flags."""
    segments = _editor_segments(project)
    previous = None
    if cursor:
        start_ms, pk = _parse_cursor(cursor) or (-1, 0)
        segments = segments.filter(Q(start_ms__gt=start_ms) | Q(start_ms=start_ms, id__gt=pk))
        previous = Segment(pk=pk, start_ms=start_ms, end_ms=_end_of(pk))
    # The first screen is read raw: it is on the path of every editor page load (bench/editor.py).
    chunk = list(
        Segment.objects.raw(_FIRST_ROWS_SQL, [project.pk, limit + 1]) if not cursor else segments[: limit + 1]
    )
    more = len(chunk) > limit
    chunk = chunk[:limit]
    rows = _with_flags(project, chunk, previous)
    next_cursor = f"{chunk[-1].start_ms}.{chunk[-1].pk}" if more else ""
    return rows, next_cursor


def _end_of(pk):
    return Segment.objects.filter(pk=pk).values_list("end_ms", flat=True).first() or 0


def editor_rows(project, query, user=None):
    filters = EditorFilters.from_query(query)
    if filters.active:
        return _filtered_rows(project, filters, query.get("after", ""), user)
    rows, next_cursor = _chunk_after(project, query.get("after", ""), EDITOR_CHUNK)
    return {
        "rows": rows,
        "next_cursor": next_cursor,
        "speakers": list(project.speakers.all()),
        "filters": filters,
    }


FILTERED_PAGE = EDITOR_CHUNK


def _filtered_rows(project, filters, after="", user=None):
    """The rows matching the filters, a page at a time (after=START.ID): a query that stops at the
    first page's matches, the problem filter reading the stored flags; never the whole script."""
    from .services import script_summary

    segments = _editor_segments(project)
    if filters.q:
        segments = text_search.containing(segments, filters.q)
    if filters.speaker == "none":
        segments = segments.filter(speaker__isnull=True)
    elif filters.speaker:
        segments = segments.filter(speaker_id=int(filters.speaker[:18]))
    review_by = None
    if filters.status == MY_REVIEW:
        from .review_selectors import reviewer_ids

        reviewers = set(reviewer_ids(project))
        segments = segments.filter(review_status=ReviewStatus.NEEDS_REVIEW)
        if user is None or user.pk not in reviewers:
            segments = segments.none()
            review_by = sorted(
                display_name(person) for person in get_user_model().objects.filter(pk__in=reviewers)
            )
    elif filters.status:
        segments = segments.filter(review_status=filters.status)
    if filters.flag:
        segments = script_summary.with_flag(segments, filters.flag)
    if filters.comments:
        segments = segments.filter(open_comment_count__gt=0)
    if filters.changed:
        from .review_selectors import changed_since_last_push

        changed, _ = changed_since_last_push(project)
        if changed is not None:  # never pushed: every segment is changed, no need to name them
            segments = segments.filter(pk__in=changed)
    cursor = _parse_cursor(after)
    if cursor:
        start_ms, pk = cursor
        segments = segments.filter(Q(start_ms__gt=start_ms) | Q(start_ms=start_ms, id__gt=pk))
    page = list(with_previous_end(segments)[: FILTERED_PAGE + 1])
    more = len(page) > FILTERED_PAGE
    page = page[:FILTERED_PAGE]
    rows = flagged_apart(project, page)
    return {
        "rows": rows,
        "next_cursor": f"{page[-1].start_ms}.{page[-1].pk}" if more else "",
        "filter_query": filters.query_string(),
        "speakers": speakers_of(project),
        "filters": filters,
        "match_count": len(rows),
        "truncated": more,
        "continued": bool(cursor),
        "review_by": review_by,  # "Needs my review" where the review is someone else's: whose it is
    }


def _parse_cursor(cursor):
    try:
        start_ms, pk = (int(part) for part in cursor.split(".", 1))
    except ValueError:
        return None
    if not (0 <= start_ms < 2**63 and 0 <= pk < 2**63):
        return None
    return start_ms, pk


def rows_with_flags(project, segments, *, with_following=False):
    """(segment, flags) for the given segments, and with `with_following` for the segment after each
    (its overlap and gap flags depend on the one before). Reads the stretch of script they span."""
    if not segments:
        return []
    wanted = {segment.pk for segment in segments}
    low = min(segment.start_ms for segment in segments)
    high = max(segment.start_ms for segment in segments)
    window = list(_editor_segments(project).filter(start_ms__gte=low, start_ms__lte=high))
    after = _editor_segments(project).filter(start_ms__gt=high).first()
    if after is not None:
        window.append(after)
    if with_following:
        wanted |= {window[i + 1].pk for i, segment in enumerate(window[:-1]) if segment.pk in wanted}
    rows = _with_flags(project, window, previous_segment(window[0]))
    return [(segment, flags) for segment, flags in rows if segment.pk in wanted]


def editor_page(project, query, user=None):
    filters = EditorFilters.from_query(query)
    if filters.active:
        rows = _filtered_rows(project, filters, user=user)
    else:
        first, next_cursor = _chunk_after(project, "", FIRST_SCREEN)
        rows = {
            "rows": first,
            "next_cursor": next_cursor,
            "filters": filters,
            "speakers": speakers_of(project),
        }
    from .services import script_summary

    return {**rows, "segment_count": script_summary.figures(project)["segments"], "summary": None}


def quality_summary(project, figures=None):
    """The problems by kind, from the stored counts (Next problem asks for the next one when clicked);
    `figures`: script_summary.figures(project) when the caller has read them already."""
    from . import quality
    from .services import comments, script_summary

    summary = (figures or script_summary.figures(project))["flags"]
    return {"summary": summary, "has_problems": any(summary.values()), "flag_kinds": quality.FLAG_KINDS,
            "open_comments": comments.open_count(project)}  # fmt: skip


# --- providers ---------------------------------------------------------------------------------------------


def providers_panel(project):
    from django.db.models import Exists

    from . import quality
    from .models import Submission
    from .services import script_summary

    recent = list(
        Submission.objects.filter(project=project)
        .select_related("created_by", "override_by")
        .defer("script_snapshot")[:10]
    )
    figures = script_summary.figures(project)
    speaking = Speaker.objects.filter(project=project).filter(
        Exists(Segment.objects.filter(speaker=OuterRef("pk")))
    )
    return {
        "submissions": recent,
        "segment_count": figures["segments"],
        "speaker_count": speaking.count(),
        "summary": {kind: count for kind, count in figures["flags"].items() if count},
        "flag_kinds": quality.FLAG_KINDS,
        "unapproved": figures["segments"] - figures["review"]["approved"],
    }


def team_jobs(user, *, status="", provider="", project_id=None):
    from .models import Submission

    jobs = (
        Submission.objects.filter(project__team__memberships__user=user)
        .select_related("project", "created_by", "override_by")
        .defer("script_snapshot")
    )
    if status:
        jobs = jobs.filter(status=status)
    if provider:
        jobs = jobs.filter(provider=provider)
    if project_id:
        jobs = jobs.filter(project_id=project_id)
    return jobs.order_by("-created_at", "-id")


def my_work(user):
    """What `user` has been handed: assigned projects with their progress, scripts waiting for their review,
    mentions, and their recent jobs. A fixed number of queries however many projects there are."""
    from .models import Assignment, Notification, Role, Submission

    assigned = list(
        Assignment.objects.filter(user=user)
        .select_related("project", "project__team")
        .order_by(F("due_date").asc(nulls_last=True), "project__title")
    )
    # The projects whose review is mine (the rule of review_selectors.reviewer_ids): I am assigned to
    # review it, or nobody is and I am a reviewer in its team. Two reads, each bounded by the person's
    # own share (their review assignments; their teams' waiting scripts, most waiting first through the
    # summary_waiting_team index), never by every team's.
    reviews = Assignment.objects.filter(project_id=OuterRef("project_id"), task=Assignment.Task.REVIEW)
    waiting_scripts = (
        ScriptSummary.objects.filter(review_needs_review__gt=0)
        .select_related("project", "project__team")
        .order_by("-review_needs_review", "project_id")
    )
    assigned_reviews = waiting_scripts.filter(
        project_id__in=Assignment.objects.filter(user=user, task=Assignment.Task.REVIEW).values("project_id")
    )
    team_reviews = waiting_scripts.filter(
        team_id__in=Membership.objects.filter(user=user, role=Role.REVIEWER).values("team_id")
    ).filter(~Exists(reviews))
    waiting = sorted(
        [*assigned_reviews[:20], *team_reviews[:20]],
        key=lambda summary: (-summary.review_needs_review, summary.project_id),
    )[:20]
    summaries = {
        summary.project_id: summary
        for summary in ScriptSummary.objects.filter(project_id__in=[a.project_id for a in assigned])
    }
    for assignment in assigned:
        summary = summaries.get(assignment.project_id)
        assignment.segments = summary.segments if summary else 0
        assignment.approved = summary.review_approved if summary else 0
        assignment.needs_review = summary.review_needs_review if summary else 0
        assignment.percent = (
            round(100 * assignment.approved / assignment.segments) if assignment.segments else 0
        )
    return {
        "assigned": assigned,
        "waiting_review": waiting,
        "mentions": list(
            Notification.objects.filter(user=user, kind=Notification.Kind.MENTION).select_related("actor")[
                :10
            ]
        ),
        "jobs": list(
            Submission.objects.filter(created_by=user).select_related("project").order_by("-id")[:8]
        ),
    }
