"""Migration 0018 gives each stored script summary its project's team (My work reads a team's waiting
scripts through an index on it)."""

import pytest

from .migrating import migrate_to, models_before, old_project

BEFORE = [("projects", "0017_project_last_change")]
AFTER = [("projects", "0018_summary_team")]


@pytest.mark.django_db(transaction=True)
def test_each_summary_takes_its_projects_team():
    with models_before(BEFORE) as old:
        Summary = old.get_model("projects", "ScriptSummary")
        first, second = old_project(old, "First"), old_project(old, "Second")
        for project, waiting in ((first, 4), (second, 0)):
            Summary.objects.create(project=project, segments=6, review_needs_review=waiting)

        new = migrate_to(AFTER)
        stored = dict(new.get_model("projects", "ScriptSummary").objects.values_list("project_id", "team_id"))
        assert stored == {first.pk: first.team_id, second.pk: second.team_id}
        assert first.team_id != second.team_id
