"""`manage.py check_restore`: after restoring a database and MEDIA_ROOT, says whether they belong together."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from projects.models import Submission, Waveform


@pytest.fixture
def restored(project, manager, settings, tmp_path):
    """A project with a finished job whose dubbed video was kept, and a computed waveform."""
    settings.MEDIA_ROOT = tmp_path / "media"
    job = Submission.objects.create(project=project, kind=Submission.Kind.NEW_DUB, provider=Submission.Provider.MODELSLAB,
                                    status=Submission.Status.SUCCEEDED, created_by=manager)  # fmt: skip
    job.output_video_file.save("dub.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"))
    waveform = Waveform.objects.create(project=project, status=Waveform.Status.READY)
    waveform.peaks_file.save("peaks.json", ContentFile(b"[0, 1, 0]"))
    return job, waveform


def check():
    out = io.StringIO()
    call_command("check_restore", stdout=out)
    return out.getvalue()


def test_a_complete_restore_passes_and_says_what_it_counted(restored, segment_rows):
    said = check()
    assert "Database: reachable" in said
    assert "Migrations: all applied." in said
    assert "1 projects, 3 segments" in said and "1 jobs" in said
    assert "Stored files: 2 referenced, 2 present and readable." in said
    assert "Restore check passed." in said


def test_a_media_file_left_out_of_the_restore_is_named(restored):
    job, _ = restored
    job.output_video_file.storage.delete(job.output_video_file.name)
    with pytest.raises(CommandError) as refused:
        check()
    message = str(refused.value)
    assert "1 stored files missing or unreadable" in message
    assert f"projects.Submission {job.pk} output_video_file: {job.output_video_file.name}" in message


def test_an_unapplied_migration_is_named(restored, monkeypatch):
    from projects.management.commands import check_restore

    monkeypatch.setattr(check_restore, "unapplied_migrations", lambda connection: ["projects.0099_g_later"])
    with pytest.raises(CommandError, match=r"1 migrations not applied: projects.0099_g_later"):
        check()


@pytest.fixture
def segment_rows(project, speaker):
    from .factories import SegmentFactory

    for start in (0, 2000, 4000):
        SegmentFactory(project=project, speaker=speaker, start_ms=start, end_ms=start + 1500)
