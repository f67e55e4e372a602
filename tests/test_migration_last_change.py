"""Migration 0017 stores each project's last change: the later of its own last change and its newest
script edit (what the project list sorted by before, looked up project by project)."""

import datetime

import pytest

from .migrating import migrate_to, models_before, old_project

BEFORE = [("projects", "0016_merge_production")]
AFTER = [("projects", "0017_project_last_change")]


@pytest.mark.django_db(transaction=True)
def test_each_project_gets_the_later_of_its_own_change_and_its_newest_edit():
    long_ago = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with models_before(BEFORE) as old:
        Project, ScriptEdit = old.get_model("projects", "Project"), old.get_model("projects", "ScriptEdit")
        edited, untouched = old_project(old, "Edited"), old_project(old, "Untouched")
        Project.objects.filter(pk__in=[edited.pk, untouched.pk]).update(updated_at=long_ago)
        for days in (3, 10):  # its newest edit: ten days after the project's own last change
            edit = ScriptEdit.objects.create(project=edited, label="Changed the text", before=[], after=[])
            ScriptEdit.objects.filter(pk=edit.pk).update(created_at=long_ago + datetime.timedelta(days=days))

        new = migrate_to(AFTER)
        stored = dict(new.get_model("projects", "Project").objects.values_list("pk", "last_change_at"))
        assert stored[edited.pk] == long_ago + datetime.timedelta(days=10)
        assert stored[untouched.pk] == long_ago
