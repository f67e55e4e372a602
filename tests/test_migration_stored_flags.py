"""Migration 0008_b fills the stored flags and counts of the scripts that exist when it runs."""

import pytest

from .migrating import migrate_to, models_before, old_project

BEFORE = [("projects", "0007_submission_sent_at")]
AFTER = [("projects", "0008_b_stored_flags")]


@pytest.mark.django_db(transaction=True)
def test_existing_scripts_get_their_flags_and_counts():
    with models_before(BEFORE) as old:
        project = old_project(old)
        Segment = old.get_model("projects", "Segment")
        Segment.objects.create(project=project, start_ms=0, end_ms=2000, target_text="Bonjour.")
        Segment.objects.create(
            project=project, start_ms=1500, end_ms=3000, target_text="", review_status="approved"
        )

        new = migrate_to(AFTER)
        summary = new.get_model("projects", "ScriptSummary").objects.get(project_id=project.pk)
        assert (summary.segments, summary.review_approved, summary.review_draft) == (2, 1, 1)
        assert (summary.flag_overlap, summary.flag_empty, summary.flag_no_speaker) == (1, 1, 2)
        flags = list(
            new.get_model("projects", "Segment").objects.order_by("start_ms").values_list("flags", flat=True)
        )
        assert all(flags)
