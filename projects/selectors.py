"""Reads for the screens: one place per screen, a fixed number of queries whatever the data size."""

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from . import access
from .models import Activity, ScriptEdit, ScriptImport, ScriptSnapshot, Segment, Speaker


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


def project_list(user, *, q="", status="", language=""):
    last_edit = ScriptEdit.objects.filter(project=OuterRef("pk")).order_by("-id").values("created_at")[:1]
    projects = (
        access.projects_for(user)
        .select_related("team")
        .annotate(
            segment_count=_count_of(Segment),
            speaker_count=_count_of(Speaker),
            # The project's own changes touch updated_at; script edits in the editor only add a ScriptEdit.
            last_change=Greatest("updated_at", Coalesce(Subquery(last_edit), "updated_at")),
        )
        .prefetch_related(
            Prefetch("speakers", queryset=Speaker.objects.only("project_id", "name", "speaker_id"))
        )
        .order_by("-last_change", "-id")
    )
    if q:
        projects = projects.filter(Q(title__icontains=q) | Q(dubformer_project_id__iexact=q))
    if status:
        projects = projects.filter(status=status)
    if language:
        projects = projects.filter(Q(target_language=language) | Q(source_language=language))
    return projects


def project_trail(project, *, limit):
    """Who did what, newest first: project events and script edits together."""
    events = [
        {"who": a.actor, "what": a.message, "when": a.created_at}
        for a in Activity.objects.filter(project=project).select_related("actor")[:limit]
    ]
    events += [
        {"who": e.user, "what": e.label + (" (undone)" if e.undone else ""), "when": e.created_at}
        for e in ScriptEdit.objects.filter(project=project)
        .select_related("user")
        .defer("before", "after")[:limit]
    ]
    return sorted(events, key=lambda event: event["when"], reverse=True)[:limit]


def project_page(project):
    """Everything the project page shows beside the project itself."""
    speakers = list(project.speakers.annotate(segment_count=Count("segments")).order_by("speaker_id"))
    segments = list(
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
        .order_by("start_ms", "id")
    )
    return {
        "speakers": speakers,
        "segments": segments,
        "activities": project_trail(project, limit=10),
        "snapshots": list(
            ScriptSnapshot.objects.filter(project=project).select_related("created_by").defer("data")[:5]
        ),
        "pending_imports": list(
            ScriptImport.objects.filter(project=project, status=ScriptImport.Status.PENDING).defer("data")[:3]
        ),
    }


# --- the editor ------------------------------------------------------------------------------------------

# The page brings the first screen of rows; the rest streams in after it, in larger chunks.
FIRST_SCREEN = 40
EDITOR_CHUNK = 150
FILTERED_LIMIT = 1000

_ROW_FIELDS = ("project_id", "start_ms", "end_ms", "source_text", "target_text", "speaker_id", "version",
               "review_status")  # fmt: skip


class EditorFilters:
    """What the editor's find and filter bar asks for, read leniently from a query string."""

    def __init__(self, q="", speaker="", status="", flag=""):
        self.q, self.speaker, self.status, self.flag = q, speaker, status, flag

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
            status=status if status in ReviewStatus.values else "",
            flag=flag if flag in quality.FLAG_KINDS else "",
        )

    @property
    def active(self):
        return bool(self.q or self.speaker or self.status or self.flag)


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
        try:
            start_ms, pk = (int(part) for part in cursor.split(".", 1))
        except ValueError:
            start_ms, pk = -1, 0
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


def editor_rows(project, query):
    filters = EditorFilters.from_query(query)
    if filters.active:
        return _filtered_rows(project, filters)
    rows, next_cursor = _chunk_after(project, query.get("after", ""), EDITOR_CHUNK)
    return {
        "rows": rows,
        "next_cursor": next_cursor,
        "speakers": list(project.speakers.all()),
        "filters": filters,
    }


def _filtered_rows(project, filters):
    segments = list(_editor_segments(project))
    rows = _with_flags(project, segments, None)
    q = filters.q.casefold()
    matching = [
        (segment, flags)
        for segment, flags in rows
        if (not q or q in segment.target_text.casefold() or q in segment.source_text.casefold())
        and (not filters.speaker or str(segment.speaker_id or "none") == filters.speaker)
        and (not filters.status or segment.review_status == filters.status)
        and (not filters.flag or any(flag.kind == filters.flag for flag in flags))
    ]
    return {
        "rows": matching[:FILTERED_LIMIT],
        "next_cursor": "",
        "speakers": speakers_of(project),
        "filters": filters,
        "match_count": len(matching),
        "truncated": len(matching) > FILTERED_LIMIT,
    }


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


def editor_page(project, query):
    filters = EditorFilters.from_query(query)
    if filters.active:
        rows = _filtered_rows(project, filters)
    else:
        first, next_cursor = _chunk_after(project, "", FIRST_SCREEN)
        rows = {
            "rows": first,
            "next_cursor": next_cursor,
            "filters": filters,
            "speakers": speakers_of(project),
        }
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM projects_segment WHERE project_id = %s", [project.pk])
        (segment_count,) = cursor.fetchone()
    return {**rows, "segment_count": segment_count, "summary": None}


def quality_summary(project):
    from . import quality

    segments = list(_editor_segments(project))
    flags = quality.check_script(segments, project.thresholds, video_duration_ms=project.video_duration_ms)
    ordered = [segment.pk for segment in segments if segment.pk in flags]
    return {"summary": quality.summarize(flags), "problem_ids": ordered, "flag_kinds": quality.FLAG_KINDS}


# --- providers ---------------------------------------------------------------------------------------------


def providers_panel(project):
    from . import quality
    from .models import Submission

    recent = list(Submission.objects.filter(project=project).select_related("created_by")[:10])
    segments = list(_editor_segments(project))
    flags = quality.check_script(
        segments, quality.thresholds_for(project.target_language), video_duration_ms=project.video_duration_ms
    )
    return {
        "submissions": recent,
        "segment_count": len(segments),
        "speaker_count": len({segment.speaker_id for segment in segments if segment.speaker_id}),
        "summary": {kind: count for kind, count in quality.summarize(flags).items() if count},
        "flag_kinds": quality.FLAG_KINDS,
    }


def team_jobs(user, *, status="", provider="", project_id=None):
    from .models import Submission

    jobs = Submission.objects.filter(project__team__memberships__user=user).select_related(
        "project", "created_by"
    )
    if status:
        jobs = jobs.filter(status=status)
    if provider:
        jobs = jobs.filter(provider=provider)
    if project_id:
        jobs = jobs.filter(project_id=project_id)
    return jobs.order_by("-created_at", "-id")
