"""Edits of a script as the editor makes them: each checked, versioned, recorded and undoable."""

import pytest

from projects.models import ScriptEdit, Segment
from projects.services import editing
from projects.services.editing import EditError, StaleVersion

from .factories import SegmentFactory, SpeakerFactory


@pytest.fixture
def script(project, speaker):
    return [
        SegmentFactory(
            project=project, start_ms=0, end_ms=2000, target_text="Bonjour à tous.", speaker=speaker
        ),
        SegmentFactory(
            project=project, start_ms=3000, end_ms=5000, target_text="Merci d'être venus.", speaker=speaker
        ),
        SegmentFactory(
            project=project, start_ms=6000, end_ms=8000, target_text="Commençons.", speaker=speaker
        ),
    ]


def texts(project):
    return list(project.segments.values_list("start_ms", "end_ms", "target_text"))


def test_saving_bumps_the_version_and_records_the_edit(project, editor, script):
    result = editing.save_segment(project, script[0].pk, {"target_text": "Salut."}, version=1, by=editor)
    assert result.changed[0].version == 2
    assert Segment.objects.get(pk=script[0].pk).target_text == "Salut."
    assert ScriptEdit.objects.get().label == "Changed the text at 00:00:00.000"


def test_a_stale_version_is_a_conflict_and_changes_nothing(project, editor, script):
    editing.save_segment(project, script[0].pk, {"target_text": "Theirs"}, version=1, by=editor)
    with pytest.raises(StaleVersion) as conflict:
        editing.save_segment(project, script[0].pk, {"target_text": "Mine"}, version=1, by=editor)
    assert conflict.value.current.target_text == "Theirs"
    assert Segment.objects.get(pk=script[0].pk).target_text == "Theirs"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_ms": 0}, "must be after the start"),
        ({"start_ms": -5}, "cannot be before 0"),
        ({"end_ms": 90_000_000}, "past 24 hours"),
    ],
)
def test_impossible_timings_are_refused(project, editor, script, changes, message):
    with pytest.raises(EditError, match=message):
        editing.save_segment(project, script[0].pk, changes, version=1, by=editor)
    assert texts(project)[0] == (0, 2000, "Bonjour à tous.")


def test_timings_past_the_video_are_refused_when_its_length_is_known(project, editor, script):
    project.video_duration_ms = 7000
    with pytest.raises(EditError, match="past the video's end"):
        editing.save_segment(project, script[2].pk, {"end_ms": 7500}, version=1, by=editor)


def test_split_at_the_text_cursor_cuts_time_in_proportion(project, editor, script):
    # "Bonjour à tous." cut after "Bonjour" (7 of 15 characters) → 7/15 of 2000 ms.
    result = editing.split_segment(project, script[0].pk, version=1, text_cursor=7, by=editor)
    first, second = result.changed
    assert (first.start_ms, first.end_ms, first.target_text) == (0, 933, "Bonjour")
    assert (second.start_ms, second.end_ms, second.target_text) == (933, 2000, "à tous.")
    assert second.speaker_id == first.speaker_id
    assert result.created_ids == {second.pk}


def test_split_at_the_playhead_cuts_text_at_the_nearest_word(project, editor, script):
    result = editing.split_segment(project, script[1].pk, version=1, at_ms=4000, by=editor)
    assert [s.target_text for s in result.changed] == ["Merci d'être", "venus."]
    assert [s.end_ms for s in result.changed] == [4000, 5000]


def test_split_too_close_to_an_end_is_refused(project, editor, script):
    with pytest.raises(EditError, match="too close"):
        editing.split_segment(project, script[0].pk, version=1, at_ms=50, by=editor)


def test_merge_joins_a_segment_with_the_next(project, editor, script):
    result = editing.merge_with_next(project, script[0].pk, version=1, by=editor)
    assert texts(project)[0] == (0, 5000, "Bonjour à tous. Merci d'être venus.")
    assert result.deleted_ids == [script[1].pk]


def test_merging_the_last_segment_is_explained(project, editor, script):
    with pytest.raises(EditError, match="last segment"):
        editing.merge_with_next(project, script[2].pk, version=1, by=editor)


def test_insert_fits_into_the_gap_after_a_segment(project, editor, script):
    result = editing.insert_after(project, script[0].pk, by=editor)
    assert (result.changed[0].start_ms, result.changed[0].end_ms) == (2000, 3000)


def test_shift_moves_everything_after_a_point(project, editor, script):
    editing.shift_segments(project, delta_ms=-500, from_ms=3000, by=editor)
    assert [t[:2] for t in texts(project)] == [(0, 2000), (2500, 4500), (5500, 7500)]


def test_shift_that_would_go_below_zero_changes_nothing(project, editor, script):
    with pytest.raises(EditError, match="before 0"):
        editing.shift_segments(project, delta_ms=-1000, segment_pks=[s.pk for s in script], by=editor)
    assert [t[:2] for t in texts(project)] == [(0, 2000), (3000, 5000), (6000, 8000)]


def test_a_selection_can_be_given_to_another_speaker(project, editor, script):
    ben = SpeakerFactory(project=project, speaker_id=2, name="Ben")
    editing.set_speaker(project, [script[0].pk, script[2].pk], ben, by=editor)
    assert list(project.segments.values_list("speaker__name", flat=True)) == ["Ben", "Anna", "Ben"]


def test_replace_changes_only_matching_translations(project, editor, script):
    result = editing.replace_text(project, "BONJOUR", "Salut", by=editor)
    assert [s.target_text for s in result.changed] == ["Salut à tous."]


def test_undo_and_redo_replay_structural_edits(project, editor, script):
    before = texts(project)
    editing.split_segment(project, script[0].pk, version=1, text_cursor=7, by=editor)
    editing.delete_segments(project, [script[2].pk], by=editor)
    after = texts(project)
    editing.undo(project, by=editor)  # the delete
    editing.undo(project, by=editor)  # the split
    assert texts(project) == before
    editing.redo(project, by=editor)
    editing.redo(project, by=editor)
    assert texts(project) == after
    with pytest.raises(EditError, match="Nothing to redo"):
        editing.redo(project, by=editor)


def test_fifty_edits_can_be_undone(project, editor, script):
    for n in range(50):
        segment = Segment.objects.get(pk=script[0].pk)
        editing.save_segment(
            project, segment.pk, {"target_text": f"Version {n}"}, version=segment.version, by=editor
        )
    for _ in range(50):
        editing.undo(project, by=editor)
    assert Segment.objects.get(pk=script[0].pk).target_text == "Bonjour à tous."


def test_undo_never_overwrites_someone_elses_later_change(project, editor, manager, script):
    editing.save_segment(project, script[0].pk, {"target_text": "Mine"}, version=1, by=editor)
    editing.save_segment(project, script[0].pk, {"target_text": "Theirs"}, version=2, by=manager)
    with pytest.raises(EditError, match="changed these segments since"):
        editing.undo(project, by=editor)
    assert Segment.objects.get(pk=script[0].pk).target_text == "Theirs"


def test_each_person_undoes_only_their_own_edits(project, editor, manager, script):
    editing.save_segment(project, script[0].pk, {"target_text": "By the editor"}, version=1, by=editor)
    with pytest.raises(EditError, match="Nothing to undo"):
        editing.undo(project, by=manager)


def test_edit_labels_count_one_segment_in_the_singular_and_more_in_the_plural(project, editor, script):
    other = SpeakerFactory(project=project, name="Ben")
    editing.shift_segments(project, delta_ms=500, segment_pks=[script[2].pk], by=editor)
    editing.shift_segments(project, delta_ms=500, segment_pks=[script[1].pk, script[2].pk], by=editor)
    editing.set_speaker(project, [script[0].pk], other, by=editor)
    editing.replace_text(project, "Commençons", "Allons-y", by=editor)
    editing.replace_text(project, ".", "!", by=editor)
    assert list(ScriptEdit.objects.order_by("id").values_list("label", flat=True)) == [
        "Shifted 1 segment by +500 ms",
        "Shifted 2 segments by +500 ms",
        "Gave 1 segment to Ben",
        "Replaced “Commençons” with “Allons-y” in 1 segment",
        "Replaced “.” with “!” in 3 segments",
    ]
