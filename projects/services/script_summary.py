"""The script's figures (segments, review progress, problems by kind), kept up to date on write.

Each segment stores its quality flags as bits (Segment.flags) and each project its counts
(ScriptSummary), so that the project page, the providers panel, the editor's summary and its problem
filter read a few stored numbers instead of checking the whole script: what a person sees costs the
same at 300 and at 30,000 segments (bench/server_scale.py).

A segment's flags depend on itself and on the segment just before it, so an edit changes the flags of
the segments it touches and of the segment right after each of them: `after_edit` re-checks that
stretch (from the earliest to the latest start the edit involved, plus the segment that follows) and
adds the difference to the counts, in the caller's transaction. A whole-script write (an import, a
restore, a change of the project's language or video length) calls `recount`.

Each speaker's number of lines (Speaker.line_count) is kept the same way: an edit adds the difference
between the speakers of its segments before and after, `recount` counts them again.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from .. import quality
from ..models import ReviewStatus, ScriptSummary, Segment, Speaker

FLAG_COLUMNS = {kind: f"flag_{kind}" for kind in quality.FLAG_KINDS}
REVIEW_COLUMNS = {status: f"review_{status}" for status in ReviewStatus.values}
_CHECKED = ("id", "start_ms", "end_ms", "target_text", "speaker_id", "flags")


def thresholds_of(project):
    return getattr(project, "thresholds", None) or quality.thresholds_for(project.target_language)


def bits(project, segment, previous):
    """The flags of `segment` (after `previous`, or None) as stored bits."""
    flags = quality.check_segment(
        segment, previous, thresholds_of(project), video_duration_ms=project.video_duration_ms
    )
    return quality.flag_bits(flags)


# --- reading ------------------------------------------------------------------------------------------


def figures(project):
    """{"segments": n, "review": {status: n}, "flags": {kind: n}} from the stored counts (one query;
    the first time for a project, a recount)."""
    row = ScriptSummary.objects.filter(project_id=project.pk).first() or recount(project)
    return {
        "segments": row.segments,
        "review": {status: getattr(row, column) for status, column in REVIEW_COLUMNS.items()},
        "flags": {kind: getattr(row, column) for kind, column in FLAG_COLUMNS.items()},
    }


def next_problem_id(project, *, after_start_ms, after_id):
    """The first segment with any flag after (after_start_ms, after_id) in time order, or else the first
    of all (Next problem goes round); None when the script has no problem. Two index reads at most."""
    problems = (
        Segment.objects.filter(project=project, flags__gt=0)
        .order_by("start_ms", "id")
        .values_list("id", flat=True)
    )
    later = problems.filter(
        Q(start_ms__gt=after_start_ms) | Q(start_ms=after_start_ms, id__gt=after_id)
    ).first()
    return later if later is not None else problems.first()


def with_flag(queryset, kind):
    """Only the segments whose stored flags include `kind`."""
    return queryset.alias(flag_bit=F("flags").bitand(quality.FLAG_BITS[kind])).filter(flag_bit__gt=0)


# --- writing ------------------------------------------------------------------------------------------


def bump(project, deltas):
    """Add {column: delta} to the project's counts (atomic increments: concurrent saves add up)."""
    deltas = {column: delta for column, delta in deltas.items() if delta}
    if not deltas:
        return
    # No row yet (never counted): nothing to add to; the first read counts the script as it is then.
    ScriptSummary.objects.filter(project_id=project.pk).update(
        **{column: F(column) + delta for column, delta in deltas.items()}
    )


def flag_deltas(old_bits, new_bits, deltas=None):
    deltas = {} if deltas is None else deltas
    for kind, bit in quality.FLAG_BITS.items():
        change = bool(new_bits & bit) - bool(old_bits & bit)
        if change:
            column = FLAG_COLUMNS[kind]
            deltas[column] = deltas.get(column, 0) + change
    return deltas


def state_deltas(before, after, deltas=None):
    """Segment and review-status counts from an edit's states before and after (editing.state())."""
    deltas = {} if deltas is None else deltas
    deltas["segments"] = deltas.get("segments", 0) + len(after) - len(before)
    for states, sign in ((before, -1), (after, 1)):
        for item in states:
            column = REVIEW_COLUMNS.get(item["review_status"])
            if column:
                deltas[column] = deltas.get(column, 0) + sign
    return deltas


def speaker_deltas(before, after):
    """{speaker pk: change in its number of lines} from an edit's states before and after."""
    deltas = {}
    for states, sign in ((before, -1), (after, 1)):
        for item in states:
            if item["speaker_id"]:
                deltas[item["speaker_id"]] = deltas.get(item["speaker_id"], 0) + sign
    return {pk: delta for pk, delta in deltas.items() if delta}


def _line_count_change(deltas):
    return Case(*(When(pk=pk, then=Value(delta)) for pk, delta in deltas.items()), default=Value(0))


def bump_speakers(deltas):
    """Add {speaker pk: delta} to the speakers' line counts in one statement (atomic increments)."""
    if deltas:
        Speaker.objects.filter(pk__in=deltas).update(line_count=F("line_count") + _line_count_change(deltas))


def speaker_counts_sql(deltas):
    """bump_speakers as `UPDATE … SET line_count = line_count + CASE …` for a data-modifying CTE."""
    table = connection.ops.quote_name(Speaker._meta.db_table)
    cases = " ".join("WHEN %s THEN %s" for _ in deltas)
    placeholders = ", ".join("%s" for _ in deltas)
    params = [value for item in deltas.items() for value in item] + list(deltas)
    sql = f"UPDATE {table} SET line_count = line_count + CASE id {cases} ELSE 0 END WHERE id IN ({placeholders})"  # noqa: S608
    return sql, params


def after_edit(project, before, after, *, gone_flags=()):
    """Bring flags and counts up to date after an edit whose segment states were `before` and are
    `after` (editing.state() dicts); `gone_flags` are the stored flags of the segments it deleted."""
    deltas = state_deltas(before, after)
    for old in gone_flags:
        flag_deltas(old, 0, deltas)
    starts = [item["start_ms"] for item in (*before, *after)]
    if starts:
        _recheck_stretch(project, min(starts), max(starts), deltas)
    bump(project, deltas)
    bump_speakers(speaker_deltas(before, after))


def _recheck_stretch(project, low_ms, high_ms, deltas):
    """Re-check the segments starting from `low_ms` to `high_ms`, and the one after them."""
    segments = Segment.objects.filter(project=project).only(*_CHECKED)
    stretch = list(segments.filter(start_ms__gte=low_ms, start_ms__lte=high_ms).order_by("start_ms", "id"))
    following = segments.filter(start_ms__gt=high_ms).order_by("start_ms", "id").first()
    if following is not None:
        stretch.append(following)
    if not stretch:
        return
    previous = (
        segments.filter(Q(start_ms__lt=low_ms))
        .order_by("-start_ms", "-id")
        .only("start_ms", "end_ms")
        .first()
    )
    changed = []
    for segment in stretch:
        new_bits = bits(project, segment, previous)
        if new_bits != segment.flags:
            flag_deltas(segment.flags, new_bits, deltas)
            segment.flags = new_bits
            changed.append(segment)
        previous = segment
    _store_flags(changed)


def _store_flags(segments):
    """Write the flags of these segments: one UPDATE per distinct value (a script has few)."""
    by_value = {}
    for segment in segments:
        by_value.setdefault(segment.flags, []).append(segment.pk)
    for value, pks in by_value.items():
        for start in range(0, len(pks), 500):
            Segment.objects.filter(pk__in=pks[start : start + 500]).update(flags=value)


def recount(project):
    """Check the whole script once: store every segment's flags and the project's counts."""
    with transaction.atomic():
        rows = list(
            Segment.objects.filter(project=project)
            .order_by("start_ms", "id")
            .only(*_CHECKED, "review_status")
        )
        values = dict.fromkeys([*FLAG_COLUMNS.values(), *REVIEW_COLUMNS.values()], 0)
        values["segments"] = len(rows)
        values["team_id"] = project.team_id
        previous = None
        changed = []
        for segment in rows:
            new_bits = bits(project, segment, previous)
            for kind in quality.kinds_of(new_bits):
                values[FLAG_COLUMNS[kind]] += 1
            if segment.review_status in REVIEW_COLUMNS:
                values[REVIEW_COLUMNS[segment.review_status]] += 1
            if new_bits != segment.flags:
                segment.flags = new_bits
                changed.append(segment)
            previous = segment
        _store_flags(changed)
        count_speaker_lines(project)
        try:
            with transaction.atomic():
                row, _ = ScriptSummary.objects.update_or_create(project_id=project.pk, defaults=values)
        except IntegrityError:  # counted by a concurrent request at the same moment: ours is as good
            row = ScriptSummary.objects.get(project_id=project.pk)
    return row


def count_speaker_lines(project):
    """Count each speaker's lines again (one UPDATE; the database counts)."""
    lines = (
        Segment.objects.filter(speaker=OuterRef("pk"))
        .order_by()
        .values("speaker")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Speaker.objects.filter(project=project).update(line_count=Coalesce(Subquery(lines), 0))


def save_statement(project, segment, old_bits, new_bits, following, following_bits, review_change):
    """For editing.save_segment: the flags to write and the counts to add, as SQL fragments for its
    single statement on PostgreSQL, or applied by the caller elsewhere. Returns (deltas, following
    update or None)."""
    deltas = flag_deltas(old_bits, new_bits)
    if review_change:
        old_status, new_status = review_change
        for status, sign in ((old_status, -1), (new_status, 1)):
            column = REVIEW_COLUMNS.get(status)
            if column:
                deltas[column] = deltas.get(column, 0) + sign
    following_update = None
    if following is not None and following_bits != following.flags:
        flag_deltas(following.flags, following_bits, deltas)
        following_update = (following.pk, following_bits)
    return {column: delta for column, delta in deltas.items() if delta}, following_update


def counts_sql(project_pk, deltas):
    """`UPDATE projects_scriptsummary SET col = col + %s …` for a data-modifying CTE; (sql, params)."""
    table = connection.ops.quote_name(ScriptSummary._meta.db_table)
    assignments = ", ".join(f"{column} = {column} + %s" for column in deltas)
    return f"UPDATE {table} SET {assignments} WHERE project_id = %s", [*deltas.values(), project_pk]  # noqa: S608
