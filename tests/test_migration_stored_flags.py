"""Migration 0008_b fills the stored flags and counts of the scripts that exist when it runs."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("projects", "0007_submission_sent_at")]
AFTER = [("projects", "0008_b_stored_flags")]


@pytest.mark.django_db(transaction=True)
def test_existing_scripts_get_their_flags_and_counts():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    team = old.get_model("projects", "Team").objects.create(name="T", slug="t")
    project = old.get_model("projects", "Project").objects.create(
        team=team, title="Old", source_language="en-US", target_language="fr-FR"
    )
    Segment = old.get_model("projects", "Segment")
    Segment.objects.create(project=project, start_ms=0, end_ms=2000, target_text="Bonjour.")
    Segment.objects.create(
        project=project, start_ms=1500, end_ms=3000, target_text="", review_status="approved"
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        summary = new.get_model("projects", "ScriptSummary").objects.get(project_id=project.pk)
        assert (summary.segments, summary.review_approved, summary.review_draft) == (2, 1, 1)
        assert (summary.flag_overlap, summary.flag_empty, summary.flag_no_speaker) == (1, 1, 2)
        flags = list(
            new.get_model("projects", "Segment").objects.order_by("start_ms").values_list("flags", flat=True)
        )
        assert all(flags)
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
