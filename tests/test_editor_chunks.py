"""The editor's rows come in chunks (one per batch the server sends), so that Chromium can skip the
chunks off screen; the rows stay the list's items, in order, each exactly once."""

import html
import re
from html.parser import HTMLParser

from django.urls import reverse

from projects.selectors import EDITOR_CHUNK, FIRST_SCREEN

from .factories import make_segments

HX = {"HX-Request": "true"}


class RowsInChunks(HTMLParser):
    """For each row (role=listitem) in a fragment: the index of the chunk it is in (None outside one)."""

    def __init__(self):
        super().__init__()
        self.open_divs = []  # for each open div: the chunk's index, or None
        self.chunks = 0
        self.rows = []  # (segment element id, chunk index)
        self.more_in_chunk = None  # whether the placeholder for the next batch is inside a chunk

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag != "div":
            return
        if "seg-more" in (attrs.get("class") or "").split():
            self.more_in_chunk = any(index is not None for index in self.open_divs)
        if "seg-chunk" in (attrs.get("class") or "").split():
            assert attrs.get("role") == "none"  # a plain container: screen readers go on to the rows
            self.open_divs.append(self.chunks)
            self.chunks += 1
            return
        self.open_divs.append(None)
        if attrs.get("role") == "listitem":
            chunk = next((index for index in reversed(self.open_divs[:-1]) if index is not None), None)
            self.rows.append((attrs["id"], chunk))

    def handle_endtag(self, tag):
        if tag == "div":
            self.open_divs.pop()


def parse(fragment):
    parser = RowsInChunks()
    parser.feed(fragment)
    return parser


def starts(project):
    return {f"seg-{pk}": start for pk, start in project.segments.values_list("pk", "start_ms")}


def test_the_first_screen_and_each_batch_loaded_while_scrolling_come_as_one_chunk_each(
    client, editor, project, speaker
):
    make_segments(project, FIRST_SCREEN + 2 * EDITOR_CHUNK + 7, speaker=speaker)
    client.force_login(editor)
    page = client.get(reverse("projects:editor", args=[project.pk])).content.decode()
    first = parse(page)
    assert first.chunks == 1
    assert len(first.rows) == FIRST_SCREEN and all(chunk == 0 for _, chunk in first.rows)
    assert first.more_in_chunk is False
    seen = [row_id for row_id, _ in first.rows]
    sizes = [len(first.rows)]
    next_url = re.search(r'class="seg-more" data-next="([^"]+)"', page).group(1)
    while next_url:
        fragment = client.get(html.unescape(next_url), headers=HX).content.decode()
        batch = parse(fragment)
        assert batch.chunks == 1 and all(chunk == 0 for _, chunk in batch.rows), "every row in the chunk"
        seen += [row_id for row_id, _ in batch.rows]
        sizes.append(len(batch.rows))
        found = re.search(r'class="seg-more" data-next="([^"]+)"', fragment)
        next_url = found.group(1) if found else None
        assert batch.more_in_chunk in (None, False)  # the next batch's placeholder follows the chunk
    assert sizes == [FIRST_SCREEN, EDITOR_CHUNK, EDITOR_CHUNK, 7]
    # Every row once, in start-time order.
    by_start = starts(project)
    assert len(seen) == len(set(seen)) == project.segments.count()
    assert [by_start[row_id] for row_id in seen] == sorted(by_start.values())


def test_the_rows_a_filter_finds_come_in_a_chunk(client, editor, project, speaker):
    make_segments(project, 30, speaker=speaker)
    client.force_login(editor)
    url = reverse("projects:segment-rows", args=[project.pk])
    fragment = client.get(url, {"speaker": speaker.pk}, headers=HX).content.decode()
    found = parse(fragment)
    assert found.chunks == 1 and len(found.rows) == 30
    assert all(chunk == 0 for _, chunk in found.rows)


def test_no_rows_no_chunk(client, editor, project):
    client.force_login(editor)
    page = client.get(reverse("projects:editor", args=[project.pk])).content.decode()
    assert "seg-chunk" not in page
    assert "No segments yet." in page


def test_a_row_an_edit_answers_with_is_a_row_not_a_chunk(client, editor, project, speaker):
    """A save or a structural edit answers rows to swap in place (the page puts them in their chunk)."""
    make_segments(project, 3, speaker=speaker)
    segment = project.segments.order_by("start_ms").first()
    client.force_login(editor)
    url = reverse("projects:segment-save", args=[project.pk, segment.pk])
    answer = client.post(
        url,
        {"field": "target_text", "target_text": "Salut.", "version": segment.version},
        headers={**HX, "HX-Target": f"seg-{segment.pk}"},
    ).content.decode()
    assert "seg-chunk" not in answer and "Salut." in answer
