"""Migration 0009_c counts the lines of the speakers that exist when it runs."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("projects", "0008_b_stored_flags")]
AFTER = [("projects", "0009_c_speaker_line_count")]


@pytest.mark.django_db(transaction=True)
def test_existing_speakers_get_their_line_counts():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    team = old.get_model("projects", "Team").objects.create(name="T", slug="t")
    project = old.get_model("projects", "Project").objects.create(
        team=team, title="Old", source_language="en-US", target_language="fr-FR"
    )
    Speaker = old.get_model("projects", "Speaker")
    anna = Speaker.objects.create(project=project, speaker_id=1, name="Anna")
    Speaker.objects.create(project=project, speaker_id=2, name="Ben")
    Segment = old.get_model("projects", "Segment")
    for start_ms in (0, 3000, 6000):
        Segment.objects.create(project=project, start_ms=start_ms, end_ms=start_ms + 2000, speaker=anna)
    Segment.objects.create(project=project, start_ms=9000, end_ms=10000)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        lines = dict(new.get_model("projects", "Speaker").objects.values_list("name", "line_count"))
        assert lines == {"Anna": 3, "Ben": 0}
        # The rebuilt speaker table still has the segment → speaker same-project check (SQLite triggers).
        other = new.get_model("projects", "Project").objects.create(
            team_id=team.pk, title="Other", source_language="en-US", target_language="fr-FR"
        )
        with pytest.raises(Exception, match="same_project"):
            new.get_model("projects", "Segment").objects.create(
                project_id=other.pk, start_ms=0, end_ms=1000, speaker_id=anna.pk
            )
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
