"""The demo command, and script import/export from the command line."""

import json
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from projects.models import Membership, Project, Segment, Speaker, Team

DATA = Path(__file__).parent / "data"


@pytest.mark.django_db
def test_demo_data_is_created_once_even_when_run_twice(capsys):
    call_command("seed_demo")
    counts = (Team.objects.count(), Membership.objects.count(), Project.objects.count(), Segment.objects.count(),
              Speaker.objects.count())  # fmt: skip
    call_command("seed_demo")
    assert counts == (Team.objects.count(), Membership.objects.count(), Project.objects.count(),
                      Segment.objects.count(), Speaker.objects.count())  # fmt: skip
    out = capsys.readouterr().out
    assert "owner" in out and "reviewer" in out and "dubweb-demo" in out


@pytest.mark.django_db
def test_demo_has_every_role_several_language_pairs_and_a_long_project():
    call_command("seed_demo")
    studio = Team.objects.get(slug="demo-studio")
    assert set(studio.memberships.values_list("role", flat=True)) == {
        "owner",
        "manager",
        "editor",
        "reviewer",
        "viewer",
    }
    for username in ("owner", "manager", "editor", "reviewer", "viewer", "outsider"):
        assert authenticate(RequestFactory().post("/"), username=username, password="dubweb-demo") is not None
    projects = Project.objects.filter(team=studio)
    assert projects.values("source_language", "target_language").distinct().count() >= 4
    assert max(project.segments.count() for project in projects) >= 2000
    keynote = projects.get(title="Product launch keynote")
    assert keynote.source_video_url == "/static/demo/keynote.mp4"
    assert keynote.speakers.count() == 2
    assert keynote.segments.filter(end_ms__gt=keynote.video_duration_ms).count() == 0


@pytest.mark.django_db
def test_demo_keeps_edits_made_in_the_demo():
    call_command("seed_demo")
    segment = Segment.objects.filter(project__title="Product launch keynote").first()
    Segment.objects.filter(pk=segment.pk).update(target_text="Edited in the demo")
    call_command("seed_demo")
    assert Segment.objects.get(pk=segment.pk).target_text == "Edited in the demo"


def test_demo_video_is_in_the_repo():
    video = Path(__file__).resolve().parent.parent / "static" / "demo" / "keynote.mp4"
    assert video.stat().st_size > 100_000
    assert video.read_bytes()[4:8] == b"ftyp"


def test_import_and_export_commands_round_trip(project, tmp_path):
    call_command("import_script", project.pk, str(DATA / "get_project_ready.json"))
    assert project.segments.count() == 2
    out = tmp_path / "out.json"
    call_command("export_script", project.pk, "--format", "dubformer", "-o", str(out))
    source = json.loads((DATA / "get_project_ready.json").read_text())
    exported = json.loads(out.read_text())
    assert exported["target_script"] == source["output_target_script"]
    assert exported["target_speakers"] == source["output_target_speakers"]


def test_import_command_reports_problems_and_changes_nothing(project, tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:03,000 --> 00:00:01,000\nBackwards\n")
    with pytest.raises(CommandError, match="Line 2: the cue ends"):
        call_command("import_script", project.pk, str(bad))
    assert not project.segments.exists()
