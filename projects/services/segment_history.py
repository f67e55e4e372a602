"""A segment's history: every recorded change to it (who, when, before and after, the text as a diff),
and restoring one of its earlier states as a new, undoable edit.

The changes are found through EditedSegment (an index on segment id), a page at a time: a page costs
the same few queries however long the history and whatever the script's size.
"""

import difflib
import json
import re
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..models import EditedSegment, ScriptEdit, Speaker
from ..timecodes import format_timecode
from . import editing
from .editing import EditError

PER_PAGE = 10
# What a restore puts back: the text, the timings and the speaker. The review status is not a version
# of the segment's content (a reviewer's decision is theirs: the review workflow decides what follows).
RESTORED_FIELDS = ("start_ms", "end_ms", "source_text", "target_text", "speaker_id")


@dataclass
class Change:
    """One recorded change to the segment: its states before and after (None when the change created
    or deleted it), and how to show it."""

    edit: ScriptEdit
    before: dict | None
    after: dict | None
    text_diff: str
    timing: list  # [(what, old, new)] of the timings that changed
    speaker: tuple | None  # (old name, new name) when the speaker changed
    source_changed: bool

    @property
    def created(self):
        return self.before is None

    @property
    def deleted(self):
        return self.after is None


def word_diff(old, new):
    """HTML of `new` against `old`, word by word: removed words in <del>, added in <ins>. Every piece of
    text is escaped: the texts come from people."""
    old_words, new_words = _words(old or ""), _words(new or "")
    html = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(
        None, old_words, new_words, autojunk=False
    ).get_opcodes():
        if op == "equal":
            html.append(escape("".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            html.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            html.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
    return mark_safe("".join(html))  # noqa: S308 (every piece escaped above)


def _words(text):
    """Words with the spaces after them, so that joining them gives back the text."""
    return re.findall(r"\S+\s*|\s+", text)


def history_page(project, segment_pk, page_number):
    """(page, changes) of the segment's changes, newest first; `changes` lists Change for the page."""
    links = (
        EditedSegment.objects.filter(segment_id=segment_pk, edit__project=project)
        .select_related("edit__user")
        .defer("edit__before", "edit__after")
        .annotate(state_before=_state_sql("before", segment_pk), state_after=_state_sql("after", segment_pk))
        .order_by("-edit_id")
    )
    page = Paginator(links, PER_PAGE).get_page(page_number)
    for link in page.object_list:
        # Only this segment's states: an edit of 3,000 segments (a shift) is not read whole.
        link.edit.before = [_loaded(link.state_before)] if link.state_before else []
        link.edit.after = [_loaded(link.state_after)] if link.state_after else []
    edits = [link.edit for link in page.object_list]
    speaker_ids = {
        item["speaker_id"] for edit in edits for item in (*edit.before, *edit.after) if item.get("speaker_id")
    }
    names = dict(Speaker.objects.filter(project=project, pk__in=speaker_ids).values_list("pk", "name"))
    return page, [_change(edit, segment_pk, names) for edit in edits]


# The state of one segment inside an edit's list of states, picked out by the database.
_STATE_SQL = {
    "postgresql": "(SELECT state::text FROM jsonb_array_elements(projects_scriptedit.{column}) AS state "
    "WHERE (state->>'id')::bigint = %s LIMIT 1)",
    "sqlite": "(SELECT value FROM json_each(projects_scriptedit.{column}) "
    "WHERE json_extract(value, '$.id') = %s LIMIT 1)",
}


def _state_sql(column, segment_pk):
    sql = _STATE_SQL[connection.vendor].format(column=column)  # column is "before" or "after", never input
    return RawSQL(sql, [segment_pk], output_field=TextField())  # noqa: S611 (the id is a parameter)


def _loaded(value):
    return value if isinstance(value, dict) else json.loads(value)


def _state_in(states, segment_pk):
    return next((item for item in states if item.get("id") == segment_pk), None)


def _change(edit, segment_pk, names):
    before, after = _state_in(edit.before, segment_pk), _state_in(edit.after, segment_pk)
    old, new = before or {}, after or {}
    timing = [
        (what, format_timecode(old[field]), format_timecode(new[field]))
        for what, field in (("Start", "start_ms"), ("End", "end_ms"))
        if before and after and old[field] != new[field]
    ]
    speaker = None
    if before and after and old.get("speaker_id") != new.get("speaker_id"):
        speaker = tuple(names.get(state.get("speaker_id"), "no speaker") if state.get("speaker_id") else "no speaker"
                        for state in (old, new))  # fmt: skip
    return Change(
        edit=edit,
        before=before,
        after=after,
        text_diff=word_diff(old.get("target_text", ""), new.get("target_text", "")),
        timing=timing,
        speaker=speaker,
        source_changed=bool(before and after and old.get("source_text") != new.get("source_text")),
    )


def restore_version(project, segment_pk, edit_pk, which, *, version, by):
    """Put the segment back as it was before or after (`which`) the recorded edit `edit_pk`, through the
    editor's save (one new edit, undoable). `version` is the segment's version when the person opened
    its history: if it changed since, StaleVersion (nothing is overwritten)."""
    link = (
        EditedSegment.objects.filter(segment_id=segment_pk, edit_id=edit_pk, edit__project=project)
        .select_related("edit")
        .first()
    )
    if link is None or which not in ("before", "after"):
        raise EditError("That version of the segment is not in its history.")
    wanted = _state_in(getattr(link.edit, which), segment_pk)
    if wanted is None:
        raise EditError("The segment did not exist at that point; there is nothing to restore.")
    changes = {field: wanted[field] for field in RESTORED_FIELDS if field != "speaker_id"}
    speaker_pk = wanted["speaker_id"]
    speaker = Speaker.objects.filter(project=project, pk=speaker_pk).first() if speaker_pk else None
    if speaker_pk and speaker is None:
        raise EditError("The speaker of that version was deleted; add it again first.")
    changes["speaker"] = speaker
    when = timezone.localtime(link.edit.created_at)
    label = f"Restored the segment at {format_timecode(wanted['start_ms'])} as it was {which} the change of {when:%Y-%m-%d %H:%M}"
    with transaction.atomic():
        result = editing.save_segment(project, segment_pk, changes, version=version, by=by, label=label)
        if result.edit is not None:  # a restore, in the trail and the feeds (undone like any edit)
            ScriptEdit.objects.filter(pk=result.edit.pk).update(kind=ScriptEdit.Kind.RESTORE)
            result.edit.kind = ScriptEdit.Kind.RESTORE
    return result
