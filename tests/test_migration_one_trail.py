"""Migration 0009_h turns django-simple-history's rows and the Activity lines that described changes
into ScriptEdit records (before and after, who, when), links old edits to their segments, and keeps
Activity's job events."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("projects", "0008_b_stored_flags")]
AFTER = [("projects", "0009_h_one_change_trail")]


@pytest.mark.django_db(transaction=True)
def test_history_rows_and_change_lines_become_one_trail():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="elena")
    team = old.get_model("projects", "Team").objects.create(name="T", slug="t")
    project = old.get_model("projects", "Project").objects.create(
        team=team, title="Old", source_language="en-US", target_language="fr-FR"
    )
    then = timezone.now() - datetime.timedelta(days=2)
    HistoricalProject = old.get_model("projects", "HistoricalProject")
    common = {"id": project.pk, "team_id": team.pk, "source_language": "en-US", "target_language": "fr-FR",
              "status": "draft", "created_at": then, "history_user_id": user.pk}  # fmt: skip
    HistoricalProject.objects.create(**common, title="Old", history_type="+", history_date=then)
    HistoricalProject.objects.create(
        **common, title="New title", history_type="~", history_date=then + datetime.timedelta(hours=1)
    )
    HistoricalSpeaker = old.get_model("projects", "HistoricalSpeaker")
    HistoricalSpeaker.objects.create(id=7, project_id=project.pk, speaker_id=1, name="Anna", style="feminine",
                                     history_type="+", history_date=then, history_user_id=user.pk)  # fmt: skip
    Activity = old.get_model("projects", "Activity")
    for verb, message in (("edit", "Changed title"), ("import", "Imported 3 segments from a.srt"),
                          ("submission", "Asked for: Re-translation")):  # fmt: skip
        Activity.objects.create(project=project, actor=user, verb=verb, message=message)
    segment = old.get_model("projects", "Segment").objects.create(project=project, start_ms=0, end_ms=1000)
    state = {"id": segment.pk, "start_ms": 0, "end_ms": 1000, "source_text": "", "target_text": "",
             "speaker_id": None, "review_status": "draft"}  # fmt: skip
    old.get_model("projects", "ScriptEdit").objects.create(
        project=project,
        user=user,
        label="Changed the text",
        before=[state],
        after=[{**state, "target_text": "x"}],
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        trail = new.get_model("projects", "ScriptEdit").objects.order_by("created_at", "id")
        records = [(r.kind, r.label, r.user_id, r.before, r.after) for r in trail]
        assert records[:3] == [
            ("project", "Created the project", user.pk, [], [records[0][4][0]]),
            ("speakers", "Added the speaker Anna", user.pk, [], [records[1][4][0]]),
            ("project", "Changed title", user.pk, [{"id": project.pk, "title": "Old"}],
             [{"id": project.pk, "title": "New title"}]),
        ]  # fmt: skip
        assert records[0][4][0]["title"] == "Old" and records[1][4][0]["name"] == "Anna"
        assert sorted(r[1] for r in records[3:]) == ["Changed the text", "Imported 3 segments from a.srt"]
        links = new.get_model("projects", "EditedSegment").objects.values_list("segment_id", flat=True)
        assert list(links) == [segment.pk]
        remaining = new.get_model("projects", "Activity").objects.values_list("verb", flat=True)
        assert list(remaining) == ["submission"]
        assert "projects_historicalproject" not in connection.introspection.table_names()
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
