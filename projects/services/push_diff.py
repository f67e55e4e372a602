"""What changed in the script since the last push to a provider: segments added, removed, with their text,
timing or speaker changed; the old and new text side by side, the changed words marked.

The last push is the project's last successful re-translation. Dubformer's body (Submission.request) has no
segment ids, so each push keeps its script per segment on the Submission (`script_snapshot`: segment id,
start, end, text, speaker, written by the worker from the rows it built the body from) and segments are
matched by id: a segment shifted in time is "timing changed", not removed and added. A push made before
snapshots were kept is compared through its body, matched by timing (then a shifted segment shows as
removed and added; the page says so).

The current side comes from the same rows the payload builder sends (payloads.retranslation_rows). The
work is one pass over both scripts (dictionaries); only the first `limit` changes are shown, and their
words compared, so the push form costs about the same at 10 and 3,000 segments.
"""

import difflib
import heapq
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ..models import Submission

SHOWN_CHANGES = 50
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


class Line(NamedTuple):  # a tuple: thousands are compared per form, at C speed
    start_ms: int
    end_ms: int
    text: str
    speaker_id: int | None


@dataclass
class Change:
    key: object
    old: Line | None
    new: Line | None
    old_words: list = field(default_factory=list)  # [(text, changed)] of the old text
    new_words: list = field(default_factory=list)

    @property
    def added(self):
        return self.old is None

    @property
    def removed(self):
        return self.new is None

    @property
    def text_changed(self):
        return bool(self.old and self.new and self.old.text != self.new.text)

    @property
    def timing_changed(self):
        return bool(
            self.old
            and self.new
            and (self.old.start_ms, self.old.end_ms) != (self.new.start_ms, self.new.end_ms)
        )

    @property
    def speaker_changed(self):
        return bool(self.old and self.new and self.old.speaker_id != self.new.speaker_id)

    @property
    def at_ms(self):
        return (self.new or self.old).start_ms


@dataclass
class PushDiff:
    since: Submission | None  # the push compared with; None: nothing pushed yet
    by_timing: bool  # matched by timing (an old push without a snapshot)
    counts: dict  # added, removed, text, timing, speaker → number of segments
    changes: list  # the first `limit` changes in time order
    total: int  # segments changed in any way

    @property
    def empty(self):
        return self.since is not None and not self.total

    @property
    def more(self):
        return self.total - len(self.changes)


def last_push(project):
    """The project's last successful re-translation (what Dubformer has now), or None. Its script only."""
    return (
        Submission.objects.filter(
            project=project, kind=Submission.Kind.RETRANSLATE, status=Submission.Status.SUCCEEDED
        )
        .exclude(request=None)
        .select_related("created_by")
        .defer("responses", "request")  # the snapshot is enough; an old push without one reads its body
        .order_by("-created_at", "-id")
        .first()
    )


def since_last_push(project, current_rows, *, limit=SHOWN_CHANGES):
    """The changes from the last push to `current_rows` (payloads.retranslation_rows)."""
    pushed = last_push(project)
    if pushed is None:
        return PushDiff(since=None, by_timing=False, counts=_counts(), changes=[], total=0)
    if pushed.script_snapshot is not None:
        old = {
            pk: Line(start, end, text, speaker) for pk, start, end, text, speaker in pushed.script_snapshot
        }
        new = {row[0]: Line(row[1], row[2], row[3], row[4]) for row in current_rows}
        by_timing = False
    else:
        lines = (pushed.request or {}).get("target_script") or []
        old = {(line["start_ms"], line["end_ms"]): Line(line["start_ms"], line["end_ms"], line.get("text", ""),
                                                        line.get("speaker_id")) for line in lines}  # fmt: skip
        new = {(row[1], row[2]): Line(row[1], row[2], row[3], row[4]) for row in current_rows}
        by_timing = True
    return compare(old, new, since=pushed, by_timing=by_timing, limit=limit)


def compare(old, new, *, since=None, by_timing=False, limit=SHOWN_CHANGES):
    """Compare two scripts given as {key: Line}: every change counted, the first `limit` in time order kept."""
    counts = _counts()
    changed = []  # (start_ms, key, old, new)
    for key, before in old.items():
        after = new.get(key)
        if after is None:
            counts["removed"] += 1
            changed.append((before.start_ms, key, before, None))
        elif after != before:
            counts["text"] += after.text != before.text
            counts["timing"] += (after.start_ms, after.end_ms) != (before.start_ms, before.end_ms)
            counts["speaker"] += after.speaker_id != before.speaker_id
            changed.append((after.start_ms, key, before, after))
    for key in new.keys() - old.keys():
        counts["added"] += 1
        changed.append((new[key].start_ms, key, None, new[key]))
    first = heapq.nsmallest(limit, changed, key=lambda item: (item[0], item[1]))
    shown = [Change(key, before, after) for _, key, before, after in first]
    for change in shown:
        if change.text_changed:
            change.old_words, change.new_words = marked_words(change.old.text, change.new.text)
    return PushDiff(since=since, by_timing=by_timing, counts=counts, changes=shown, total=len(changed))


def _counts():
    return dict.fromkeys(("added", "removed", "text", "timing", "speaker"), 0)


def marked_words(old, new):
    """Both texts as [(piece, changed)], word by word: what the push removes and what it brings. Plain
    strings (the template escapes them)."""
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    old_marked, new_marked = [], []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        _append(old_marked, old_words[i1:i2], changed)
        _append(new_marked, new_words[j1:j2], changed)
    return old_marked, new_marked


def _append(marked, words, changed):
    """Add `words`, joined to a neighbouring piece of the same kind (fewer elements in the page); spaces
    around a change are not marked (only the words are)."""
    text = "".join(words)
    if changed:
        core = text.strip()
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        pieces = [(lead, False), (core, True), (trail, False)] if core else [(text, False)]
    else:
        pieces = [(text, False)]
    for piece, is_change in pieces:
        if not piece:
            continue
        if marked and marked[-1][1] == is_change:
            marked[-1] = (marked[-1][0] + piece, is_change)
        else:
            marked.append((piece, is_change))
