"""Presence: who else has a script open and on which line, and the rows they changed since the last poll."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Presence, ScriptEdit, Segment
from projects.services import editing, presence

from .factories import SegmentFactory, make_segments


def poll(client, project, *, segment="", since=""):
    return client.post(reverse("projects:presence", args=[project.pk]), {"segment": segment, "since": since})


def cursor_of(response):
    html = response.content.decode()
    start = html.index('name="since" value="') + len('name="since" value="')
    return html[start : html.index('"', start)]


@pytest.fixture
def lines(project, speaker):
    made = [
        SegmentFactory(project=project, speaker=speaker, start_ms=n * 3000, end_ms=n * 3000 + 2000)
        for n in range(3)
    ]
    Segment.objects.filter(project=project).update(
        updated_at=timezone.now() - timedelta(minutes=5)
    )  # written earlier
    return made


def test_each_sees_the_others_and_the_line_they_are_on(client, project, editor, manager, lines):
    client.force_login(manager)
    first = poll(client, project, segment=lines[1].pk)
    assert "No one else has this script open" in first.content.decode()

    client.force_login(editor)
    answer = poll(client, project, segment=lines[0].pk).content.decode()
    assert f'data-name="manny" data-segment="{lines[1].pk}"' in answer
    assert "eddie" not in answer  # not oneself

    # Someone who stopped asking (closed the page without a goodbye) is gone after a few polls.
    Presence.objects.filter(user=manager).update(
        seen_at=timezone.now() - presence.GONE_AFTER - timedelta(seconds=1)
    )
    assert "manny" not in poll(client, project).content.decode()


def test_leaving_says_goodbye_at_once(client, project, editor, manager, lines):
    client.force_login(manager)
    poll(client, project, segment=lines[0].pk)
    response = client.post(reverse("projects:presence", args=[project.pk]), {"leave": "1"})
    assert response.status_code == 204
    client.force_login(editor)
    assert "manny" not in poll(client, project).content.decode()


def test_a_row_saved_by_someone_else_comes_with_the_next_poll_and_deleted_rows_are_named(
    client, project, editor, manager, lines
):
    client.force_login(editor)
    since = cursor_of(poll(client, project))
    assert 'class="seg ' not in poll(client, project, since=since).content.decode()  # nothing changed yet

    # Marco saves the second line and deletes the third.
    editing.save_segment(project, lines[1].pk, {"target_text": "Changé par Marco"}, version=1, by=manager)
    editing.delete_segments(project, [lines[2].pk], by=manager)

    answer = poll(client, project, since=since).content.decode()
    assert f'id="seg-{lines[1].pk}"' in answer and "Changé par Marco" in answer
    assert 'data-version="2"' in answer  # the client keeps a row only if it is newer than the one it shows
    assert f'data-gone="{lines[2].pk}"' in answer
    assert f'id="seg-{lines[0].pk}"' not in answer  # unchanged rows are not sent


def test_a_garbled_cursor_or_segment_is_a_first_poll_not_an_error(client, project, editor, lines):
    client.force_login(editor)
    for since, segment in [("yesterday", "x"), ("2026-13-45T99:00", "-3"), ("1" * 400, str(2**64)), ("", "")]:
        response = poll(client, project, segment=segment, since=since)
        assert response.status_code == 200
        assert cursor_of(response)  # a fresh cursor to go on from
    assert Presence.objects.get(user=editor).segment_id is None


def test_a_viewer_is_seen_too_and_another_team_is_refused(client, project, viewer, outsider, lines):
    client.force_login(viewer)
    assert poll(client, project, segment=lines[0].pk).status_code == 200
    client.force_login(outsider)
    assert poll(client, project).status_code == 404
    assert list(Presence.objects.values_list("user__username", flat=True)) == ["vic"]


@pytest.mark.parametrize("size", [10, 3000])
def test_a_poll_costs_the_same_at_any_length(
    client, project, editor, manager, speaker, size, django_assert_max_num_queries
):
    make_segments(project, size, speaker=speaker)
    Segment.objects.filter(project=project).update(
        updated_at=timezone.now() - timedelta(minutes=5)
    )  # imported earlier
    segment = Segment.objects.filter(project=project).order_by("start_ms")[size // 2]
    client.force_login(manager)
    poll(client, project, segment=segment.pk)
    client.force_login(editor)
    since = cursor_of(poll(client, project))
    editing.save_segment(project, segment.pk, {"target_text": "Nouveau"}, version=segment.version, by=manager)
    # The session, the user, the project and role, the names here, my new place, the changed rows (each
    # with the end of the row before it), their speakers, the rows deleted, the unread count.
    with django_assert_max_num_queries(9):
        answer = poll(client, project, segment=segment.pk, since=since).content.decode()
    assert "Nouveau" in answer and 'data-name="manny"' in answer
    Segment.objects.filter(project=project).update(updated_at=timezone.now() - timedelta(minutes=5))
    ScriptEdit.objects.filter(project=project).update(created_at=timezone.now() - timedelta(minutes=5))
    since = cursor_of(poll(client, project, segment=segment.pk, since=since))

    # Nothing changed and I have not moved: no write, no row, nothing to render.
    with django_assert_max_num_queries(7):
        quiet = poll(client, project, segment=segment.pk, since=since).content.decode()
    assert 'class="seg ' not in quiet and 'data-name="manny"' in quiet


def test_rows_merged_or_taken_back_by_undo_are_named_gone(client, project, editor, manager, lines):
    client.force_login(editor)
    since = cursor_of(poll(client, project))
    added = editing.insert_after(project, lines[2].pk, by=manager).changed[0]
    answer = poll(client, project, since=since).content.decode()
    assert f'id="seg-{added.pk}"' in answer  # a row someone added comes like a changed one

    since = cursor_of(poll(client, project))
    editing.undo(project, by=manager)  # Marco takes the new row back
    editing.merge_with_next(project, lines[0].pk, version=1, by=manager)  # and joins the first two
    answer = poll(client, project, since=since).content.decode()
    assert f'data-gone="{" ".join(sorted([str(lines[1].pk), str(added.pk)], key=int))}"' in answer
    assert f'id="seg-{lines[0].pk}"' in answer  # the merged row, longer now


def test_a_shift_or_a_speaker_change_by_someone_else_comes_too(
    client, project, editor, manager, lines, speaker
):
    client.force_login(editor)
    since = cursor_of(poll(client, project))
    editing.shift_segments(project, delta_ms=500, segment_pks=[lines[0].pk], by=manager)
    editing.set_speaker(project, [lines[1].pk], None, by=manager)
    answer = poll(client, project, since=since).content.decode()
    assert f'id="seg-{lines[0].pk}"' in answer and 'data-start="500"' in answer
    assert f'id="seg-{lines[1].pk}"' in answer and f'id="seg-{lines[2].pk}"' not in answer
