"""Conflicts are per field: a save merges unless someone else changed the same field since it was read."""

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import Segment
from projects.services import editing

from .factories import SegmentFactory

HX = {"HX-Request": "true"}


@pytest.fixture
def segment(project, speaker):
    return SegmentFactory(
        project=project, start_ms=1000, end_ms=3000, target_text="Bonjour.", speaker=speaker
    )


def save(client, segment, version, **data):
    url = reverse("projects:segment-save", args=[segment.project_id, segment.pk])
    return client.post(url, {"version": version, **data}, headers={**HX, "HX-Target": f"seg-{segment.pk}"})


def test_a_translation_saved_after_a_manager_shifted_the_timings_keeps_both(
    client, editor, manager, project, segment
):
    read_version = segment.version  # the translator opens the row
    editing.shift_segments(project, delta_ms=500, by=manager)  # the manager shifts every timing meanwhile
    client.force_login(editor)
    response = save(client, segment, read_version, field="target_text", target_text="Salut.", was="Bonjour.")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed" not in body and "Saved" in body
    segment.refresh_from_db()
    assert (segment.target_text, segment.start_ms, segment.end_ms) == ("Salut.", 1500, 3500)
    # The row sent back carries the merged segment: the shifted start and the new version.
    assert "00:00:01.500" in body and f'data-version="{segment.version}"' in body


def test_timing_by_one_person_and_text_by_another_at_once_are_both_kept(editor, manager, project, segment):
    translator, timer = Client(), Client()
    translator.force_login(editor)
    timer.force_login(manager)
    version = segment.version  # both read the same version
    timing = save(timer, segment, version, field="end", end="00:00:02.500", was="00:00:03.000")
    text = save(translator, segment, version, field="target_text", target_text="Salut.", was="Bonjour.")
    assert (timing.status_code, text.status_code) == (200, 200)
    segment.refresh_from_db()
    assert (segment.end_ms, segment.target_text, segment.version) == (2500, "Salut.", version + 2)


def test_the_same_field_changed_by_someone_else_is_still_a_conflict(
    client, editor, manager, project, segment
):
    read_version = segment.version
    editing.save_segment(project, segment.pk, {"target_text": "Coucou."}, version=read_version, by=manager)
    client.force_login(editor)
    response = save(client, segment, read_version, field="target_text", target_text="Salut.", was="Bonjour.")
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this segment" in body and "Coucou." in body
    segment.refresh_from_db()
    assert segment.target_text == "Coucou."


def test_save_then_shift_then_save_again_merges_each_time(client, editor, manager, project, segment):
    client.force_login(editor)
    first = save(client, segment, segment.version, field="target_text", target_text="Salut.", was="Bonjour.")
    assert first.status_code == 200
    segment.refresh_from_db()
    seen_version = segment.version
    editing.shift_segments(project, delta_ms=-200, by=manager)
    # The editor's row still says the version it saw; it changes the end, which the shift moved too.
    conflict = save(client, segment, seen_version, field="end", end="00:00:02.000", was="00:00:03.000")
    assert conflict.status_code == 409  # the end they read is not the end any more: a real conflict
    merged = save(client, segment, seen_version, field="target_text", target_text="Salut !", was="Salut.")
    assert merged.status_code == 200
    segment.refresh_from_db()
    assert (segment.start_ms, segment.end_ms, segment.target_text) == (800, 2800, "Salut !")
    # Undo takes back only this person's last change (the text), leaving the shift.
    editing.undo(project, by=editor)
    segment.refresh_from_db()
    assert (segment.start_ms, segment.target_text) == (800, "Salut.")


def test_a_save_that_does_not_say_what_it_read_is_a_conflict_on_any_change(
    client, editor, manager, project, segment
):
    read_version = segment.version
    editing.shift_segments(project, delta_ms=500, by=manager)
    client.force_login(editor)
    response = save(client, segment, read_version, field="target_text", target_text="Salut.")
    assert response.status_code == 409
    assert Segment.objects.get(pk=segment.pk).target_text == "Bonjour."


def test_a_speaker_change_merges_with_a_text_change(client, editor, manager, project, segment):
    from .factories import SpeakerFactory

    ben = SpeakerFactory(project=project, speaker_id=2, name="Ben")
    read_version = segment.version
    editing.save_segment(project, segment.pk, {"target_text": "Coucou."}, version=read_version, by=manager)
    client.force_login(editor)
    response = save(
        client, segment, read_version, field="speaker", speaker=str(ben.pk), was=str(segment.speaker_id)
    )
    assert response.status_code == 200
    segment.refresh_from_db()
    assert (segment.speaker_id, segment.target_text) == (ben.pk, "Coucou.")
