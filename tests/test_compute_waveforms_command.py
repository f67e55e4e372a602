"""manage.py compute_waveforms: the waveforms of projects and kept outputs made before waveforms existed,
queued for the worker or computed in place (--inline), each track's outcome said."""

import io
import shutil

import pytest
from django.core.files import File
from django.core.management import CommandError, call_command
from django.test import TestCase

from projects.models import Submission, Waveform
from projects.services import waveforms

from .factories import ProjectFactory
from .test_waveforms import computing, media  # noqa: F401  (the generated tone, silent and cut files)

pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs ffmpeg")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the queued tasks run (synchronously in tests)
        call_command("compute_waveforms", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def kept_voice_track(project, media):  # noqa: F811
    job = Submission.objects.create(
        project=project, provider=Submission.Provider.MODELSLAB, kind=Submission.Kind.NEW_DUB,
        status=Submission.Status.SUCCEEDED, output_copy=Submission.OutputCopy.KEPT,
    )  # fmt: skip
    with (media / "tone.wav").open("rb") as track:
        job.output_audio_file.save("voice.wav", File(track), save=True)
    return job


def test_older_projects_and_outputs_get_their_waveforms_queued_once(computing, team, media):  # noqa: F811
    old = ProjectFactory(team=team, title="Old film", source_video_url="/static/tone.mp4")
    ProjectFactory(team=team, title="No video yet", source_video_url="")
    job = kept_voice_track(old, media)
    assert not Waveform.objects.exists()  # made before waveforms were computed

    out, _ = run()
    assert f"Project {old.pk} “Old film”, source video: queued." in out
    assert f"Project {old.pk} “Old film”, job {job.pk} voice track: queued." in out
    assert "No video yet" not in out
    assert "2 waveforms queued, 0 left alone." in out
    source = waveforms.source_waveform(old)
    assert (source.status, source.duration_ms // 100) == ("ready", 30)
    assert Waveform.objects.get(submission=job, track="audio").status == "ready"

    out, _ = run()  # again: nothing to do
    assert "source video: ready, left alone." in out
    assert "0 waveforms queued, 2 left alone." in out
    assert waveforms.source_waveform(old).generation == source.generation


def test_inline_computes_here_and_names_what_failed(computing, team, media, monkeypatch):  # noqa: F811
    monkeypatch.setattr(waveforms, "enqueue", lambda *args: pytest.fail("queued instead of computed here"))
    tone = ProjectFactory(team=team, title="Tone", source_video_url="/static/tone.mp4")
    silent = ProjectFactory(team=team, title="Silent", source_video_url="/static/silent.mp4")
    with pytest.raises(CommandError, match="1 waveform could not be computed"):
        out, err = io.StringIO(), io.StringIO()
        call_command("compute_waveforms", "--inline", stdout=out, stderr=err)
    assert f"Project {tone.pk} “Tone”, source video: computed (3.0 s of audio)." in out.getvalue()
    assert f"Project {silent.pk} “Silent”, source video: failed:" in err.getvalue()
    assert "1 waveform computed, 0 left alone, 1 failed." in out.getvalue()
    assert waveforms.source_waveform(tone).status == "ready"
    failed = waveforms.source_waveform(silent)
    assert failed.status == "failed" and failed.error_message in err.getvalue()


def test_a_failed_or_changed_one_is_computed_again_and_all_recomputes_the_ready(computing, team):  # noqa: F811
    project = ProjectFactory(team=team, title="Film", source_video_url="/static/tone.mp4")
    Waveform.objects.create(project=project, status="failed", error_message="Timed out.",
                            source_url="/static/tone.mp4", generation=3)  # fmt: skip
    out, _ = run(str(project.pk), "--inline")
    assert "source video: computed" in out
    assert waveforms.source_waveform(project).generation == 4
    out, _ = run(str(project.pk), "--inline", "--all")
    assert "source video: computed" in out and waveforms.source_waveform(project).generation == 5


def test_a_dry_run_changes_nothing(computing, team, media):  # noqa: F811
    project = ProjectFactory(team=team, title="Film", source_video_url="/static/tone.mp4")
    kept_voice_track(project, media)
    out, _ = run("--dry-run", "--no-outputs")
    assert "source video: would be queued." in out and "voice track" not in out
    assert "1 waveform would be queued" in out
    assert not Waveform.objects.exists()


def test_turned_off_or_an_unknown_project_is_refused(settings, team):
    settings.COMPUTE_WAVEFORMS = False
    with pytest.raises(CommandError, match="turned off"):
        call_command("compute_waveforms", stdout=io.StringIO())
    settings.COMPUTE_WAVEFORMS = True
    with pytest.raises(CommandError, match="No project 999999"):
        call_command("compute_waveforms", "999999", stdout=io.StringIO())
