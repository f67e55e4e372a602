"""Edits of a script, one segment or a few at a time, as people make them in the editor.

Every function owns its transaction, checks what it is given (raising EditError with a message for a
person), bumps the version of each segment it changes (so a stale save elsewhere is a conflict, not
an overwrite) and records a ScriptEdit with the segments before and after, which undo and redo replay.
"""

import json
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import connection, transaction
from django.db.models import Max, Subquery
from django.utils import timezone

from ..models import Project, ScriptEdit, Segment, Speaker
from ..timecodes import MAX_MS, format_timecode
from ..wording import counted

UNDO_DEPTH = 100  # edits kept per person and project (the editor promises at least 50)
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
    and the edit recorded (None when nothing changed)."""

    changed: list
    deleted_ids: list
    edit: ScriptEdit | None = None
    created_ids: set = dataclass_field(default_factory=set)
    neighbours: tuple | None = None


def state(segment):
    return {"id": segment.pk, **{field: getattr(segment, field) for field in STATE_FIELDS}}


def _record(project, user, label, before, after):
    """Keep one edit for the trail, undo and redo. An edit makes any edit this person undid before it
    impossible to redo (redo looks only at edits newer than the newest kept one)."""
    edit = ScriptEdit.objects.create(project=project, user=user, label=label, before=before, after=after)
    if edit.pk % 20 == 0:
        _forget_beyond_undo_depth(project, user)
    return edit


def _forget_beyond_undo_depth(project, user):
    """Now and then (every 20th edit), drop what is older than the undo depth."""
    keep = ScriptEdit.objects.filter(project=project, user=user).order_by("-id").values("id")[:UNDO_DEPTH]
    ScriptEdit.objects.filter(project=project, user=user).exclude(pk__in=Subquery(keep)).delete()


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


def save_segment(project, segment_pk, changes, *, version, by):
    """Change some of a segment's fields (start_ms, end_ms, target_text, source_text, speaker,
    review_status). `version` is the one the person saw; if it is not current, StaleVersion.

    Optimistic: the segment and its neighbours are read together, and the UPDATE only happens if the
    version is still the one read, so two saves can never both win. The result's `neighbours` (the
    segments before and after, None at the ends) are for the editor's overlap and gap flags."""
    segment, previous, following = _with_neighbours(project, segment_pk)
    if segment.version != version:
        raise StaleVersion(segment)
    before = state(segment)
    if "speaker" in changes:
        speaker = changes.pop("speaker")
        if speaker is not None and speaker.project_id != project.pk:
            raise EditError("That speaker belongs to another project.")
        changes["speaker_id"] = speaker.pk if speaker else None
    for name, value in changes.items():
        setattr(segment, name, value)
    _check_timing(project, segment.start_ms, segment.end_ms)
    if state(segment) == before:
        return EditResult(changed=[segment], deleted_ids=[], neighbours=(previous, following))
    segment.updated_at = timezone.now()
    segment.version = version + 1
    label = _describe_change(before, state(segment))
    edit = _update_and_record(project, segment, changes, version, by, label, [before], [state(segment)])
    if edit is None:
        raise StaleVersion(Segment.objects.filter(pk=segment.pk).first() or segment)
    moved = (previous and segment.start_ms < previous.start_ms) or (
        following and segment.start_ms > following.start_ms
    )
    return EditResult(
        changed=[segment], deleted_ids=[], edit=edit, neighbours=None if moved else (previous, following)
    )


def _update_and_record(project, segment, changes, version, by, label, before, after):
    """UPDATE the segment if it is still at `version`, and record the edit: both or neither. Returns the
    edit, or None when someone else saved first. On PostgreSQL this is one statement (a data-modifying
    CTE) instead of BEGIN, UPDATE, INSERT, COMMIT: a quarter of the round trips of every save."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            fields = {**changes, "version": segment.version, "updated_at": segment.updated_at}
            if not Segment.objects.filter(pk=segment.pk, version=version).update(**fields):
                return None
            return _record(project, by, label, before, after)
    columns = [column for column in changes if column in STATE_FIELDS]
    assignments = ", ".join(f"{column} = %s" for column in columns)
    sql = f"""
        WITH updated AS (
            UPDATE projects_segment SET {assignments}, version = %s, updated_at = %s
            WHERE id = %s AND version = %s RETURNING id
        )
        INSERT INTO projects_scriptedit (project_id, user_id, label, before, after, undone, created_at)
        SELECT %s, %s, %s, %s::jsonb, %s::jsonb, false, %s FROM updated
        RETURNING id
    """  # noqa: S608 (column names come from STATE_FIELDS; every value is a parameter)
    params = [changes[column] for column in columns] + [
        segment.version,
        segment.updated_at,
        segment.pk,
        version,
    ]
    params += [
        project.pk,
        by.pk if by else None,
        label,
        json.dumps(before),
        json.dumps(after),
        segment.updated_at,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    edit = ScriptEdit(pk=row[0], project=project, user=by, label=label, before=before, after=after)
    if edit.pk % 20 == 0:
        _forget_beyond_undo_depth(project, by)
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
_COLUMNS = "id, project_id, start_ms, end_ms, source_text, target_text, speaker_id, version, review_status, updated_at"
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
            review_status=segment.review_status,
        )
        segment.end_ms = at_ms
        segment.target_text = text[:text_cursor].strip()
        segment.version += 1
        segment.save()
        edit = _record(
            project,
            by,
            f"Split the segment at {format_timecode(at_ms)}",
            [before],
            [state(segment), state(second)],
        )
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
    return EditResult(changed=[], deleted_ids=[s["id"] for s in before], edit=edit)


def shift_segments(project, *, delta_ms, segment_pks=None, from_ms=None, by):
    """Move the given segments (or every segment starting at or after `from_ms`) by `delta_ms`."""
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
            segment.version += 1
        Segment.objects.bulk_update(segments, ["start_ms", "end_ms", "version", "updated_at"], batch_size=500)
        sign = "+" if delta_ms > 0 else "−"
        edit = _record(
            project,
            by,
            f"Shifted {counted(len(segments), 'segment')} by {sign}{abs(delta_ms)} ms",
            before,
            [state(s) for s in segments],
        )
    return EditResult(changed=segments, deleted_ids=[], edit=edit)


def set_speaker(project, segment_pks, speaker, *, by):
    if speaker is not None and speaker.project_id != project.pk:
        raise EditError("That speaker belongs to another project.")
    with transaction.atomic():
        segments = sorted(_locked(project, segment_pks).values(), key=lambda s: (s.start_ms, s.pk))
        before = [state(segment) for segment in segments]
        for segment in segments:
            segment.speaker = speaker
            segment.version += 1
        Segment.objects.bulk_update(segments, ["speaker", "version", "updated_at"], batch_size=500)
        who = speaker.name if speaker else "no speaker"
        edit = _record(
            project,
            by,
            f"Gave {counted(len(segments), 'segment')} to {who}",
            before,
            [state(s) for s in segments],
        )
    return EditResult(changed=segments, deleted_ids=[], edit=edit)


def replace_text(project, find, replacement, *, by, case_sensitive=False):
    """Replace `find` with `replacement` in every target text. Returns the result (changed rows)."""
    matches = matching_segments(project, find, case_sensitive=case_sensitive)
    if not matches:
        raise EditError(f"“{find}” is not in any translated text.")
    with transaction.atomic():
        segments = sorted(
            _locked(project, [s.pk for s in matches]).values(), key=lambda s: (s.start_ms, s.pk)
        )
        before = [state(segment) for segment in segments]
        changed = []
        for segment in segments:
            new_text = replace_in(segment.target_text, find, replacement, case_sensitive=case_sensitive)
            if new_text != segment.target_text:
                segment.target_text = new_text
                segment.version += 1
                changed.append(segment)
        Segment.objects.bulk_update(changed, ["target_text", "version", "updated_at"], batch_size=500)
        edit = _record(
            project,
            by,
            f"Replaced “{find[:40]}” with “{replacement[:40]}” in {counted(len(changed), 'segment')}",
            [b for b in before if b["id"] in {s.pk for s in changed}],
            [state(s) for s in changed],
        )
    return EditResult(changed=changed, deleted_ids=[], edit=edit)


def replace_in(text, find, replacement, *, case_sensitive):
    if case_sensitive:
        return text.replace(find, replacement)
    return re.sub(re.escape(find), lambda _: replacement, text, flags=re.IGNORECASE)


def matching_segments(project, find, *, case_sensitive=False):
    if not find:
        return []
    lookup = "target_text__contains" if case_sensitive else "target_text__icontains"
    return list(Segment.objects.filter(project=project, **{lookup: find}).order_by("start_ms", "id"))


# --- undo and redo ---------------------------------------------------------------------------------------


def undo(project, *, by):
    """Undo this person's last edit in this project, if nobody changed those segments since."""
    with transaction.atomic():
        edit = (
            ScriptEdit.objects.select_for_update()
            .filter(project=project, user=by, undone=False)
            .order_by("-id")
            .first()
        )
        if edit is None:
            raise EditError("Nothing to undo.")
        result = _replay(project, expect=edit.after, restore=edit.before)
        edit.undone = True
        edit.undone_at = timezone.now()
        edit.save(update_fields=["undone", "undone_at"])
    result.edit = edit
    return result


def redo(project, *, by):
    """Redo the edit this person undid last, unless they have made a new edit since."""
    with transaction.atomic():
        edits = ScriptEdit.objects.select_for_update().filter(project=project, user=by)
        newest_kept = edits.filter(undone=False).order_by("-id").values_list("id", flat=True).first() or 0
        edit = edits.filter(undone=True, id__gt=newest_kept).order_by("-undone_at", "id").first()
        if edit is None:
            raise EditError("Nothing to redo.")
        result = _replay(project, expect=edit.before, restore=edit.after)
        edit.undone = False
        edit.undone_at = None
        edit.save(update_fields=["undone", "undone_at"])
    result.edit = edit
    return result


def _replay(project, *, expect, restore):
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
    return EditResult(changed=changed, deleted_ids=deleted, created_ids=set(wanted) - set(current))


def can_undo(project, user):
    return ScriptEdit.objects.filter(project=project, user=user, undone=False).exists()
