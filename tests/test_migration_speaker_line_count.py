"""Migration 0009_c counts the lines of the speakers that exist when it runs."""

import pytest

from .migrating import migrate_to, models_before, old_project

BEFORE = [("projects", "0008_b_stored_flags")]
AFTER = [("projects", "0009_c_speaker_line_count")]


@pytest.mark.django_db(transaction=True)
def test_existing_speakers_get_their_line_counts():
    with models_before(BEFORE) as old:
        project = old_project(old)
        Speaker = old.get_model("projects", "Speaker")
        anna = Speaker.objects.create(project=project, speaker_id=1, name="Anna")
        Speaker.objects.create(project=project, speaker_id=2, name="Ben")
        Segment = old.get_model("projects", "Segment")
        for start_ms in (0, 3000, 6000):
            Segment.objects.create(project=project, start_ms=start_ms, end_ms=start_ms + 2000, speaker=anna)
        Segment.objects.create(project=project, start_ms=9000, end_ms=10000)

        new = migrate_to(AFTER)
        lines = dict(new.get_model("projects", "Speaker").objects.values_list("name", "line_count"))
        assert lines == {"Anna": 3, "Ben": 0}
        # The rebuilt speaker table still has the segment → speaker same-project check (SQLite triggers).
        other = old_project(new, "Other")
        with pytest.raises(Exception, match="same_project"):
            new.get_model("projects", "Segment").objects.create(
                project_id=other.pk, start_ms=0, end_ms=1000, speaker_id=anna.pk
            )
