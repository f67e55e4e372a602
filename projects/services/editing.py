"""Edits of a script, one segment or a few at a time, as people make them in the editor.

Every function owns its transaction, checks what it is given (raising EditError with a message for a
person), bumps the version of each segment it changes (so a stale save elsewhere is a conflict, not
an overwrite) and records a ScriptEdit with the segments before and after, which undo and redo replay.
Those records are also the project's audit trail (see ScriptEdit): they are kept, never pruned; undo
reaches back UNDO_DEPTH edits per person.
"""

import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import regex
from django.db import connection, transaction
from django.db.models import Max, Subquery
from django.utils import timezone

from .. import text_input
from ..models import Project, ScriptEdit, Segment, Speaker
from ..timecodes import MAX_MS, format_timecode
from ..wording import counted
from . import changes, comments, project_review, script_summary
from . import review as review_moves

UNDO_DEPTH = 100  # edits undo reaches back per person and project (the editor promises at least 50)
UNDOABLE = (ScriptEdit.Kind.SEGMENTS, ScriptEdit.Kind.RESTORE)
STATE_FIELDS = ("start_ms", "end_ms", "source_text", "target_text", "speaker_id", "review_status")
MIN_SEGMENT_MS = 100


class EditError(Exception):
    """The edit cannot be made; the message says why, for a person."""


class StaleVersion(EditError):
    """Someone saved the segment since this person loaded it."""

    def __init__(self, current):
        self.current = current
        super().__init__("Someone else changed this segment since you opened it.")


class SegmentGone(EditError):
    def __init__(self):
        super().__init__(
            "That segment no longer exists: someone may have deleted it. Reload to see the script as it is."
        )


@dataclass
class EditResult:
    """What changed: rows to re-render (`created_ids` among them are new to the page), rows gone,
    the edit recorded (None when nothing changed), and whether the script's counts (problems, review
    progress) may have changed with it."""

    changed: list
    deleted_ids: list
    edit: ScriptEdit | None = None
    created_ids: set = dataclass_field(default_factory=set)
    neighbours: tuple | None = None
    counts_changed: bool = True


def state(segment):
    return {"id": segment.pk, **{field: getattr(segment, field) for field in STATE_FIELDS}}


def _record(project, user, label, before, after, *, kind=ScriptEdit.Kind.SEGMENTS):
    """Keep one edit for the trail, undo and redo. An edit makes any edit this person undid before it
    impossible to redo (redo looks only at edits newer than the newest kept one)."""
    edit = changes.record(project, user, kind, label, before, after)
    project_review.script_edited(project, by=user)
    return edit


def _undoable(project, user):
    """This person's edits that undo may still reach: their newest UNDO_DEPTH segment edits."""
    recent = (
        ScriptEdit.objects.filter(project=project, user=user, kind__in=UNDOABLE)
        .order_by("-id")
        .values("id")[:UNDO_DEPTH]
    )
    return ScriptEdit.objects.filter(pk__in=Subquery(recent), undone=False)


def _check_timing(project, start_ms, end_ms, *, number=None):
    where = f"Segment {number}: " if number else ""
    if start_ms < 0:
        raise EditError(f"{where}the start cannot be before 0.")
    if end_ms <= start_ms:
        raise EditError(
            f"{where}the end ({format_timecode(end_ms)}) must be after the start ({format_timecode(start_ms)})."
        )
    limit = project.video_duration_ms or MAX_MS
    if end_ms > limit:
        what = "the video's end" if project.video_duration_ms else "24 hours"
        raise EditError(
            f"{where}the end ({format_timecode(end_ms)}) is past {what} ({format_timecode(limit)})."
        )


def _locked(project, pks):
    segments = {s.pk: s for s in Segment.objects.select_for_update().filter(project=project, pk__in=pks)}
    missing = set(pks) - set(segments)
    if missing:
        raise EditError(
            "That segment no longer exists: someone may have deleted it. Reload to see the script as it is."
        )
    return segments


def save_segment(project, segment_pk, changes, *, version, by, read=None, label=None):
    """Change some of a segment's fields (start_ms, end_ms, target_text, source_text, speaker,
    review_status). `version` is the one the person saw, and `read` ({column: value}, optional) the
    values they saw in the fields they change.

    Conflicts are per field: when the segment changed since `version` but every field this save changes
    still holds the value the person read (someone shifted the timings while they typed the text), the
    save merges into the current segment. A field someone else changed meanwhile, or a save that does
    not say what it read, raises StaleVersion.

    Optimistic: the segment and its neighbours are read together, and the UPDATE only happens if the
    version is still the one read, so two saves can never both win. The segment's stored flags, those
    of the segment after it and the project's counts are updated with it (script_summary). The result's
    `neighbours` (the segments before and after, None at the ends) are for the editor's overlap and gap
    flags. `label` names the edit in the trail (by default, what changed)."""
    segment, previous, following = _with_neighbours(project, segment_pk)
    if "speaker" in changes:
        speaker = changes.pop("speaker")
        if speaker is not None and speaker.project_id != project.pk:
            raise EditError("That speaker belongs to another project.")
        changes["speaker_id"] = speaker.pk if speaker else None
    if segment.version != version:
        if not read or any(not _same(getattr(segment, name), value) for name, value in read.items()):
            raise StaleVersion(segment)
        version = segment.version  # nobody touched these fields: merge into what is there now
    before = state(segment)
    for name, value in changes.items():
        setattr(segment, name, value)
    _check_timing(project, segment.start_ms, segment.end_ms)
    if state(segment) == before:
        return EditResult(changed=[segment], deleted_ids=[], neighbours=(previous, following))
    segment.updated_at = timezone.now()
    segment.version = version + 1
    label = label or _describe_change(before, state(segment))
    if review_moves.reopen_after_edit(before, segment):
        changes = {**changes, "review_status": segment.review_status}
        label += " (back to needs review)"
    moved = (previous and segment.start_ms < previous.start_ms) or (
        following and segment.start_ms > following.start_ms
    )
    if moved:  # past a neighbour: the stretch between its old and new place is re-checked
        with transaction.atomic():
            edit = _update_and_record(
                project, segment, changes, version, by, label, [before], [state(segment)]
            )
            if edit is not None:
                script_summary.after_edit(project, [before], [state(segment)])
    else:
        old_bits = segment.flags
        segment.flags = script_summary.bits(project, segment, previous)
        following_bits = following and script_summary.bits(project, following, segment)
        review = (before["review_status"], segment.review_status)
        deltas, following_update = script_summary.save_statement(
            project, segment, old_bits, segment.flags, following, following_bits,
            review if review[0] != review[1] else None,
        )  # fmt: skip
        changes = {**changes, "flags": segment.flags}
        edit = _update_and_record(
            project, segment, changes, version, by, label, [before], [state(segment)],
            counts=deltas, following_flags=following_update,
            speaker_lines=script_summary.speaker_deltas([before], [state(segment)]),
        )  # fmt: skip
        if edit is not None and following_update:
            following.flags = following_update[1]
    if edit is None:
        raise StaleVersion(Segment.objects.filter(pk=segment.pk).first() or segment)
    return EditResult(
        changed=[segment], deleted_ids=[], edit=edit, neighbours=None if moved else (previous, following),
        counts_changed=bool(moved or deltas),
    )  # fmt: skip


def _same(current, read):
    if isinstance(current, str) and isinstance(read, str):
        return current.replace("\r\n", "\n").strip() == read.replace("\r\n", "\n").strip()
    return current == read


def _update_and_record(project, segment, changes, version, by, label, before, after, *, counts=None,
                       following_flags=None, speaker_lines=None):  # fmt: skip
    """UPDATE the segment if it is still at `version`, record the edit, add `counts` to the project's
    summary and `speaker_lines` to the speakers' line counts, and store the following segment's new
    flags (pk, bits): all or nothing. Returns the edit,
    or None when someone else saved first. On PostgreSQL this is one statement (a data-modifying CTE)
    instead of BEGIN, UPDATE, INSERT, COMMIT: a quarter of the round trips of every save."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            fields = {**changes, "version": segment.version, "updated_at": segment.updated_at}
            if not Segment.objects.filter(pk=segment.pk, version=version).update(**fields):
                return None
            if following_flags:
                Segment.objects.filter(pk=following_flags[0]).update(flags=following_flags[1])
            if counts:
                script_summary.bump(project, counts)
            script_summary.bump_speakers(speaker_lines)
            return _record(project, by, label, before, after)
    columns = [column for column in changes if column in (*STATE_FIELDS, "flags")]
    assignments = ", ".join(f"{column} = %s" for column in columns)
    extra_sql, extra_params = "", []
    if following_flags:
        extra_sql += (
            ", following AS (UPDATE projects_segment SET flags = %s WHERE id = %s"
            " AND EXISTS (SELECT 1 FROM updated))"
        )
        extra_params += [following_flags[1], following_flags[0]]
    if counts:
        counts_sql, counts_params = script_summary.counts_sql(project.pk, counts)
        extra_sql += f", counted AS ({counts_sql} AND EXISTS (SELECT 1 FROM updated))"  # noqa: S608 (constant SQL)
        extra_params += counts_params
    if speaker_lines:
        lines_sql, lines_params = script_summary.speaker_counts_sql(speaker_lines)
        extra_sql += f", speakers_counted AS ({lines_sql} AND EXISTS (SELECT 1 FROM updated))"  # noqa: S608 (constant SQL)
        extra_params += lines_params
    sql = f"""
        WITH updated AS (
            UPDATE projects_segment SET {assignments}, version = %s, updated_at = %s
            WHERE id = %s AND version = %s RETURNING id
        ){extra_sql}
        , recorded AS (
            INSERT INTO projects_scriptedit (project_id, user_id, kind, label, before, after, undone, created_at)
            SELECT %s, %s, 'segments', %s, %s::jsonb, %s::jsonb, false, %s FROM updated
            RETURNING id
        ), linked AS (
            INSERT INTO projects_editedsegment (edit_id, segment_id) SELECT id, %s FROM recorded
        )
        SELECT id FROM recorded
    """  # noqa: S608 (column names come from STATE_FIELDS and the summary's own; every value is a parameter)
    params = [changes[column] for column in columns] + [
        segment.version,
        segment.updated_at,
        segment.pk,
        version,
    ]
    params += extra_params
    params += [
        project.pk,
        by.pk if by else None,
        label,
        json.dumps(before),
        json.dumps(after),
        segment.updated_at,
        segment.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    edit = ScriptEdit(pk=row[0], project=project, user=by, label=label, before=before, after=after)
    project_review.script_edited(project, by=by)
    return edit


def _with_neighbours(project, segment_pk):
    """The segment and the segments just before and after it, in one statement."""
    found = {
        row.role: row
        for row in Segment.objects.raw(_WITH_NEIGHBOURS_SQL, _with_neighbours_params(project, segment_pk))
    }
    if "segment" not in found:
        raise SegmentGone()
    return found["segment"], found.get("previous"), found.get("following")


def _with_neighbours_params(project, segment_pk):
    target = [segment_pk, project.pk]
    side = [project.pk, *target, *target, segment_pk]
    return target + side + side


# The segment, then each neighbour in a derived table (SQLite allows no ORDER BY or LIMIT on the
# members of a UNION themselves); `role` tells the three apart. "start_ms <= X AND NOT (…)" rather
# than "start_ms < X OR (…)" so that both databases walk the (project, start_ms) index from X.
_COLUMNS = "id, project_id, start_ms, end_ms, source_text, target_text, speaker_id, version, review_status, flags, updated_at, open_comment_count"
_TARGET_START = "(SELECT start_ms FROM projects_segment WHERE id = %s AND project_id = %s)"
_WITH_NEIGHBOURS_SQL = f"""
SELECT {_COLUMNS}, 'segment' AS role FROM projects_segment WHERE id = %s AND project_id = %s
UNION ALL
SELECT * FROM (SELECT {_COLUMNS}, 'previous' AS role FROM projects_segment
               WHERE project_id = %s AND start_ms <= {_TARGET_START} AND NOT (start_ms = {_TARGET_START} AND id >= %s)
               ORDER BY start_ms DESC, id DESC LIMIT 1) AS previous_segment
UNION ALL
SELECT * FROM (SELECT {_COLUMNS}, 'following' AS role FROM projects_segment
               WHERE project_id = %s AND start_ms >= {_TARGET_START} AND NOT (start_ms = {_TARGET_START} AND id <= %s)
               ORDER BY start_ms, id LIMIT 1) AS following_segment
"""  # noqa: S608 (only constant SQL is formatted in; every value is a parameter)


def _describe_change(before, after):
    names = {"start_ms": "start", "end_ms": "end", "target_text": "text", "source_text": "source text",
             "speaker_id": "speaker", "review_status": "review status"}  # fmt: skip
    fields = [names[field] for field in STATE_FIELDS if before[field] != after[field]]
    return f"Changed the {' and '.join(fields)} at {format_timecode(after['start_ms'])}"


def insert_after(project, segment_pk, *, by, duration_ms=2000):
    """A new empty segment after the given one (or at the start when None), in the gap that follows it."""
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if segment_pk is None:
            start_ms = 0
            speaker_id = None
        else:
            previous = _locked(project, [segment_pk])[segment_pk]
            start_ms = previous.end_ms
            speaker_id = previous.speaker_id
        following = Segment.objects.filter(project=project, start_ms__gte=start_ms).order_by("start_ms", "id")
        following = following.exclude(pk=segment_pk).first()
        end_ms = start_ms + duration_ms
        if following is not None:
            end_ms = min(end_ms, following.start_ms)
        if end_ms - start_ms < MIN_SEGMENT_MS:
            raise EditError("There is no room after this segment: shorten it or shift the next one first.")
        _check_timing(project, start_ms, end_ms)
        segment = Segment.objects.create(
            project=project, start_ms=start_ms, end_ms=end_ms, speaker_id=speaker_id
        )
        edit = _record(
            project, by, f"Inserted a segment at {format_timecode(start_ms)}", [], [state(segment)]
        )
        script_summary.after_edit(project, [], edit.after)
    return EditResult(changed=[segment], deleted_ids=[], edit=edit, created_ids={segment.pk})


def split_segment(project, segment_pk, *, version, at_ms=None, text_cursor=None, by):
    """Split a segment in two at `at_ms` (the player's time) or, without it, at the point in time
    proportional to `text_cursor` in the target text. The text is cut at the cursor (or at the word
    nearest the proportional point)."""
    with transaction.atomic():
        segment = _locked(project, [segment_pk])[segment_pk]
        if segment.version != version:
            raise StaleVersion(segment)
        text = segment.target_text
        if text_cursor is not None and not 0 <= text_cursor <= len(text):
            raise EditError("The text cursor is outside the text.")
        if at_ms is None:
            fraction = (text_cursor / len(text)) if text and text_cursor is not None else 0.5
            at_ms = segment.start_ms + round(segment.duration_ms * fraction)
        if text_cursor is None:
            fraction = (at_ms - segment.start_ms) / segment.duration_ms
            text_cursor = _nearest_word_break(text, round(len(text) * fraction))
        if not segment.start_ms + MIN_SEGMENT_MS <= at_ms <= segment.end_ms - MIN_SEGMENT_MS:
            raise EditError(
                f"The split point {format_timecode(at_ms)} is too close to the segment's start or end "
                f"(each part needs at least {MIN_SEGMENT_MS} ms)."
            )
        before = state(segment)
        second = Segment.objects.create(
            project=project,
            start_ms=at_ms,
            end_ms=segment.end_ms,
            source_text="",
            target_text=text[text_cursor:].strip(),
            speaker_id=segment.speaker_id,
            review_status=review_moves.merged_status([segment.review_status]),
        )
        segment.end_ms = at_ms
        segment.target_text = text[:text_cursor].strip()
        segment.review_status = second.review_status  # neither half is what was reviewed
        segment.version += 1
        segment.save()
        edit = _record(
            project,
            by,
            f"Split the segment at {format_timecode(at_ms)}",
            [before],
            [state(segment), state(second)],
        )
        script_summary.after_edit(project, edit.before, edit.after)
    return EditResult(changed=[segment, second], deleted_ids=[], edit=edit, created_ids={second.pk})


def _nearest_word_break(text, index):
    if not text:
        return 0
    spaces = [i for i, char in enumerate(text) if char.isspace()]
    return min(spaces, key=lambda i: abs(i - index)) if spaces else index


def merge_with_next(project, segment_pk, *, version, by):
    """Join a segment and the one after it: one segment from the first's start to the second's end."""
    with transaction.atomic():
        segment = _locked(project, [segment_pk])[segment_pk]
        if segment.version != version:
            raise StaleVersion(segment)
        following = (
            Segment.objects.select_for_update()
            .filter(project=project)
            .filter(start_ms__gte=segment.start_ms)
            .exclude(pk=segment.pk)
            .order_by("start_ms", "id")
            .first()
        )
        if following is None:
            raise EditError("This is the last segment: there is nothing after it to merge with.")
        before = [state(segment), state(following)]
        segment.end_ms = max(segment.end_ms, following.end_ms)
        segment.target_text = _join(segment.target_text, following.target_text)
        segment.source_text = _join(segment.source_text, following.source_text)
        segment.speaker_id = segment.speaker_id or following.speaker_id
        segment.review_status = review_moves.merged_status([segment.review_status, following.review_status])
        segment.version += 1
        following.delete()
        segment.save()
        edit = _record(
            project,
            by,
            f"Merged two segments at {format_timecode(segment.start_ms)}",
            before,
            [state(segment)],
        )
        script_summary.after_edit(project, before, edit.after, gone_flags=[following.flags])
    return EditResult(changed=[segment], deleted_ids=[before[1]["id"]], edit=edit)


def _join(first, second):
    return " ".join(part for part in (first.strip(), second.strip()) if part)


def delete_segments(project, segment_pks, *, by):
    with transaction.atomic():
        segments = _locked(project, segment_pks)
        before = [state(segment) for segment in sorted(segments.values(), key=lambda s: (s.start_ms, s.pk))]
        Segment.objects.filter(pk__in=segments).delete()
        count = len(before)
        label = (
            f"Deleted {counted(count, 'segment')}"
            if count > 1
            else f"Deleted the segment at {format_timecode(before[0]['start_ms'])}"
        )
        edit = _record(project, by, label, before, [])
        script_summary.after_edit(project, before, [], gone_flags=[s.flags for s in segments.values()])
    return EditResult(changed=[], deleted_ids=[s["id"] for s in before], edit=edit)


def shift_segments(project, *, delta_ms, segment_pks=None, from_ms=None, by):
    """Move the given segments (or every segment starting at or after `from_ms`) by `delta_ms`."""
    now = timezone.now()
    if not delta_ms:
        raise EditError("Give a shift other than 0 ms.")
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        segments = Segment.objects.select_for_update().filter(project=project)
        if segment_pks is not None:
            segments = segments.filter(pk__in=segment_pks)
        elif from_ms is not None:
            segments = segments.filter(start_ms__gte=from_ms)
        segments = list(segments.order_by("start_ms", "id"))
        if not segments:
            raise EditError("No segments to shift.")
        before = [state(segment) for segment in segments]
        for number, segment in enumerate(segments, start=1):
            segment.start_ms += delta_ms
            segment.end_ms += delta_ms
            _check_timing(
                project, segment.start_ms, segment.end_ms, number=None if len(segments) == 1 else number
            )
            review_moves.reopen_after_edit(before[number - 1], segment)
            segment.version += 1
            segment.updated_at = now  # bulk_update leaves auto_now alone: open editors read changes by it
        Segment.objects.bulk_update(
            segments, ["start_ms", "end_ms", "version", "updated_at", "review_status"], batch_size=500
        )
        sign = "+" if delta_ms > 0 else "−"
        after = [state(s) for s in segments]
        edit = _record(
            project,
            by,
            f"Shifted {counted(len(segments), 'segment')} by {sign}{abs(delta_ms)} ms"
            + review_moves.reopened_note(before, after),
            before,
            after,
        )
        script_summary.after_edit(project, before, edit.after)
    return EditResult(changed=segments, deleted_ids=[], edit=edit)


def set_speaker(project, segment_pks, speaker, *, by):
    now = timezone.now()
    if speaker is not None and speaker.project_id != project.pk:
        raise EditError("That speaker belongs to another project.")
    with transaction.atomic():
        segments = sorted(_locked(project, segment_pks).values(), key=lambda s: (s.start_ms, s.pk))
        before = [state(segment) for segment in segments]
        for segment, was in zip(segments, before, strict=True):
            segment.speaker = speaker
            review_moves.reopen_after_edit(was, segment)
            segment.version += 1
            segment.updated_at = now
        Segment.objects.bulk_update(
            segments, ["speaker", "version", "updated_at", "review_status"], batch_size=500
        )
        who = speaker.name if speaker else "no speaker"
        after = [state(s) for s in segments]
        edit = _record(
            project,
            by,
            (
                f"Gave {counted(len(segments), 'segment')} to {who}"
                + review_moves.reopened_note(before, after)
            )[:200],
            before,
            after,
        )
        script_summary.after_edit(project, before, edit.after)
    return EditResult(changed=segments, deleted_ids=[], edit=edit)


class FindPattern:
    """What find and replace looks for: plain text (or a regular expression), as a whole word or
    anywhere, with or without matching case. Checked when made: EditError says what is wrong.

    Patterns come from people: they run with the `regex` module's timeout, so a pattern that would
    backtrack for minutes is refused instead of holding a worker."""

    MAX_LENGTH = 200
    TIMEOUT_S = 0.25

    def __init__(self, find, *, case_sensitive=False, whole_word=False, use_regex=False):
        self.find, self.case_sensitive, self.whole_word, self.use_regex = (
            find,
            case_sensitive,
            whole_word,
            use_regex,
        )
        if not find:
            raise EditError("Type what to find.")
        if len(find) > self.MAX_LENGTH:
            raise EditError(f"What to find is too long (at most {self.MAX_LENGTH} characters).")
        if problem := text_input.problem(find, "What to find"):
            raise EditError(problem)
        pattern = find if use_regex else regex.escape(find)
        if whole_word:
            pattern = rf"(?<!\w)(?:{pattern})(?!\w)"
        flags = regex.V0 | (0 if case_sensitive else regex.IGNORECASE)
        try:
            self.compiled = regex.compile(pattern, flags)
        except (regex.error, OverflowError) as error:
            raise EditError(f"“{find}” is not a valid regular expression: {error}.") from None

    @property
    def literal(self):
        """Plain ASCII-or-case-sensitive text: the database can narrow the candidates with LIKE."""
        return not self.use_regex and (self.case_sensitive or self.find.isascii())

    def search(self, text):
        try:
            return self.compiled.search(text, timeout=self.TIMEOUT_S) is not None
        except TimeoutError:
            raise EditError("This pattern takes too long to search; make it simpler.") from None

    def replace(self, text, replacement):
        """`text` with every match replaced (in a regular expression, \\1 or \\g<name> insert a group)."""
        try:
            if self.use_regex:
                result = self.compiled.sub(replacement, text, timeout=self.TIMEOUT_S)
            else:
                result = self.compiled.sub(lambda _: replacement, text, timeout=self.TIMEOUT_S)
        except TimeoutError:
            raise EditError("This pattern takes too long to search; make it simpler.") from None
        except (regex.error, IndexError) as error:
            raise EditError(
                f"The replacement “{replacement}” is not valid for this pattern: {error}."
            ) from None
        if problem := text_input.problem(result, "The replaced text"):
            raise EditError(problem)
        return result


def planned_replacements(project, pattern, replacement):
    """[(segment, new text)] for every segment whose translation the replacement changes, in time
    order: what the preview shows is exactly what `replace_text` applies."""
    if problem := text_input.problem(replacement, "The replacement"):
        raise EditError(problem)
    candidates = Segment.objects.filter(project=project).only(*_REPLACE_FIELDS).order_by("start_ms", "id")
    if pattern.literal:
        lookup = "target_text__contains" if pattern.case_sensitive else "target_text__icontains"
        candidates = candidates.filter(**{lookup: pattern.find})
    planned = []
    for segment in candidates:
        if not pattern.search(segment.target_text):
            continue
        new_text = pattern.replace(segment.target_text, replacement)
        if new_text != segment.target_text:
            planned.append((segment, new_text))
    return planned


_REPLACE_FIELDS = ("project_id", "start_ms", "end_ms", "target_text", "version")


def replace_text(project, pattern, replacement, *, by, **options):
    """Replace what `pattern` finds with `replacement` in every target text. `pattern` is a FindPattern,
    or the text to find with FindPattern's options."""
    now = timezone.now()
    if isinstance(pattern, str):
        pattern = FindPattern(pattern, **options)
    planned = planned_replacements(project, pattern, replacement)
    if not planned:
        raise EditError(f"“{pattern.find}” is not in any translated text.")
    with transaction.atomic():
        segments = sorted(
            _locked(project, [segment.pk for segment, _ in planned]).values(),
            key=lambda s: (s.start_ms, s.pk),
        )
        before = []
        changed = []
        for segment in segments:
            new_text = pattern.replace(segment.target_text, replacement)
            if new_text != segment.target_text:
                before.append(state(segment))
                segment.target_text = new_text
                review_moves.reopen_after_edit(before[-1], segment)
                segment.version += 1
                segment.updated_at = now
                changed.append(segment)
        if not changed:
            raise EditError(f"“{pattern.find}” is not in any translated text.")
        Segment.objects.bulk_update(
            changed, ["target_text", "version", "updated_at", "review_status"], batch_size=500
        )
        after = [state(s) for s in changed]
        edit = _record(
            project,
            by,
            f"Replaced “{pattern.find[:40]}” with “{replacement[:40]}” in {counted(len(changed), 'segment')}"
            + review_moves.reopened_note(before, after),
            before,
            after,
        )
        script_summary.after_edit(project, before, edit.after)
    return EditResult(changed=changed, deleted_ids=[], edit=edit)


# --- undo and redo ---------------------------------------------------------------------------------------


def undo(project, *, by):
    """Undo this person's last edit in this project, if nobody changed those segments since."""
    with transaction.atomic():
        edit = _undoable(project, by).select_for_update().order_by("-id").first()
        if edit is None:
            raise EditError("Nothing to undo.")
        result = _replay(project, expect=edit.after, restore=edit.before, by=by)
        edit.undone = True
        edit.undone_at = timezone.now()
        edit.save(update_fields=["undone", "undone_at"])
        # The trail says who put what back, and when (the undone edit itself keeps its place).
        _record(project, by, f"Undid: {edit.label}"[:200], edit.after, edit.before, kind=ScriptEdit.Kind.UNDO)
    result.edit = edit
    return result


def redo(project, *, by):
    """Redo the edit this person undid last, unless they have made a new edit since."""
    with transaction.atomic():
        edits = ScriptEdit.objects.select_for_update().filter(project=project, user=by, kind__in=UNDOABLE)
        newest_kept = edits.filter(undone=False).order_by("-id").values_list("id", flat=True).first() or 0
        edit = edits.filter(undone=True, id__gt=newest_kept).order_by("-undone_at", "id").first()
        if edit is None:
            raise EditError("Nothing to redo.")
        result = _replay(project, expect=edit.before, restore=edit.after, by=by)
        edit.undone = False
        edit.undone_at = None
        edit.save(update_fields=["undone", "undone_at"])
        _record(project, by, f"Redid: {edit.label}"[:200], edit.before, edit.after, kind=ScriptEdit.Kind.REDO)
    result.edit = edit
    return result


def _replay(project, *, expect, restore, by=None):
    """Turn the segments that are as `expect` says into what `restore` says (deleting those `restore`
    lacks, re-creating those it has that are gone). Refuses if they were changed meanwhile."""
    expected = {item["id"]: item for item in expect}
    wanted = {item["id"]: item for item in restore}
    current = {
        s.pk: s
        for s in Segment.objects.select_for_update().filter(
            project=project, pk__in=expected.keys() | wanted.keys()
        )
    }
    for pk, item in expected.items():
        segment = current.get(pk)
        if segment is None or state(segment) != item:
            raise EditError(
                "Someone has changed these segments since, so this cannot be undone or redone safely."
            )
    for pk in wanted.keys() - expected.keys():
        if pk in current:
            raise EditError(
                "Someone has changed these segments since, so this cannot be undone or redone safely."
            )
    speaker_ids = {item["speaker_id"] for item in restore if item["speaker_id"]}
    if Speaker.objects.filter(pk__in=speaker_ids, project=project).count() != len(speaker_ids):
        raise EditError("A speaker these segments had was deleted; add it again first.")

    deleted = [pk for pk in expected if pk not in wanted]
    gone_flags = [current[pk].flags for pk in deleted]
    Segment.objects.filter(pk__in=deleted).delete()
    changed = []
    next_version = (Segment.objects.filter(project=project).aggregate(top=Max("version"))["top"] or 0) + 1
    for pk, item in wanted.items():
        segment = current.get(pk) or Segment(pk=pk, project=project, version=next_version)
        for field in STATE_FIELDS:
            setattr(segment, field, item[field])
        segment.version += 1
        segment.save()
        changed.append(segment)
    changed.sort(key=lambda s: (s.start_ms, s.pk))
    # A re-created segment gets its comments back (they keep its id): its badge counts them again.
    comments.recount_open(set(wanted) - set(current))
    script_summary.after_edit(project, expect, restore, gone_flags=gone_flags)
    project_review.script_edited(project, by=by)
    return EditResult(changed=changed, deleted_ids=deleted, created_ids=set(wanted) - set(current))


def can_undo(project, user):
    return _undoable(project, user).exists()
