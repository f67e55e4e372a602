"""Waveforms: the worker computes a track's audio peaks once (ffmpeg), stores them, says why when it
cannot, recomputes when the video URL changes, and serves them to members like a static file."""

import gzip
import html
import io
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import responses
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from projects import waveform_peaks
from projects.models import Project, Submission, Waveform
from projects.services import submissions, waveforms

pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs ffmpeg")

REMOTE_URL = "https://videos.example.com/episode.mp4"


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=60)  # noqa: S603, S607


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    """Generated files: 1 s silence, 1 s of a 440 Hz tone, 1 s silence (a WAV, and a video with it), a
    video without sound, and that video with its second half cut off."""
    folder = tmp_path_factory.mktemp("waveform-media")
    tone = folder / "tone.wav"
    _ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono:d=1",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1",
            "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono:d=1",
            "-filter_complex", "[0][1][2]concat=n=3:v=0:a=1", str(tone))  # fmt: skip
    video = folder / "tone.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=d=3:s=64x48:r=10", "-i", str(tone), "-c:v", "libx264",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(video))  # fmt: skip
    silent = folder / "silent.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=d=2:s=64x48:r=10", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(silent)
    )
    truncated = folder / "truncated.mp4"
    truncated.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    return folder


@pytest.fixture
def computing(settings, tmp_path, media):
    """Waveforms on, media and static files in temporary folders (the generated files under /static/)."""
    settings.COMPUTE_WAVEFORMS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATICFILES_DIRS = [media]
    return settings


def set_video(project, url):
    """Change the project's video as the edit form does, the worker running the task after the commit."""
    project.source_video_url = url
    project.save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        waveforms.source_changed(project)
    return waveforms.source_waveform(project)


def peaks_of(response):
    data = (
        gzip.decompress(response.content) if response.get("Content-Encoding") == "gzip" else response.content
    )
    sample_rate, samples_per_pixel, length = waveform_peaks.read_header(data)
    assert (sample_rate, samples_per_pixel) == (16_000, 160)  # 100 peaks a second
    values = struct.unpack(f"{2 * length}b", data[20:])
    return [max(abs(low), abs(high)) for low, high in zip(values[::2], values[1::2], strict=True)]


def loudest(levels, start_s, end_s):
    return max(levels[int(start_s * 100) : int(end_s * 100)])


# --- computing -----------------------------------------------------------------------------------------


def test_a_tone_between_silences_gives_peaks_where_the_tone_is(computing, client, viewer, project):
    waveform = set_video(project, "/static/tone.mp4")
    assert (waveform.status, waveform.error_message) == ("ready", "")
    assert 2900 <= waveform.duration_ms <= 3100
    assert waveform.sample_rate == 44100
    client.force_login(viewer)
    levels = peaks_of(client.get(reverse("projects:waveform-peaks", args=[project.pk])))
    assert 295 <= len(levels) <= 310
    assert loudest(levels, 0.05, 0.9) <= 2  # silence (AAC leaves a breath of noise at most)
    assert min(levels[110:190]) >= 10  # the tone, all through its second (ffmpeg's sine is 1/8 of full scale)
    assert loudest(levels, 2.1, 2.95) <= 2
    # The edges are within a few peaks (10 ms each) of where the tone starts and stops.
    first_loud = next(i for i, level in enumerate(levels) if level >= 8)
    last_loud = max(i for i, level in enumerate(levels) if level >= 8)
    assert 97 <= first_loud <= 104 and 196 <= last_loud <= 203


def test_a_voice_track_in_wav_gives_the_same_peaks(computing, project, tmp_path):
    out = (tmp_path / "peaks.dat").open("w+b")
    found = waveform_peaks.compute(computing.STATICFILES_DIRS[0] / "tone.wav", out)
    out.seek(0)
    data = out.read()
    assert found.pixels == 300 and found.duration_ms == 3000
    assert len(data) == 20 + 2 * 300  # the whole of it: 2 bytes per 10 ms


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("silent.mp4", "This video has no audio track."),
        ("truncated.mp4", "The file ends early: only"),
        ("nowhere.mp4", "The video file was not found among this site's static files."),
    ],
)
def test_a_video_without_usable_audio_ends_with_the_reason(
    computing, client, manager, project, name, message
):
    waveform = set_video(project, f"/static/{name}")
    assert waveform.status == "failed"
    assert waveform.error_message.startswith(message)
    client.force_login(manager)
    page = client.get(reverse("projects:waveform-status", args=[project.pk])).content.decode()
    assert "could not be computed" in page and html.escape(message) in page
    assert "Compute again" in page
    answer = client.get(reverse("projects:waveform-peaks", args=[project.pk]))
    assert answer.status_code == 404
    assert answer.json()["status"] == "failed" and answer.json()["message"].startswith(message)


def test_a_file_cut_before_its_index_is_unreadable(computing, project, media, tmp_path):
    cut = media / "cut-early.mp4"
    cut.write_bytes((media / "tone.mp4").read_bytes()[:300])
    waveform = set_video(project, "/static/cut-early.mp4")
    assert waveform.status == "failed"
    assert "could not be read as video or audio (it may be truncated" in waveform.error_message


def test_a_remote_video_is_downloaded_and_its_peaks_computed(computing, fake_dns, project, media):
    with responses.RequestsMock() as web:
        web.get(REMOTE_URL, body=(media / "tone.mp4").read_bytes(), content_type="video/mp4")
        waveform = set_video(project, REMOTE_URL)
    assert waveform.status == "ready" and waveform.source_url == REMOTE_URL


def test_a_remote_video_over_the_size_limit_is_not_downloaded(computing, fake_dns, project, media):
    computing.WAVEFORM_SOURCE_MAX_BYTES = 4000
    with responses.RequestsMock() as web:
        web.get(REMOTE_URL, body=(media / "tone.mp4").read_bytes(), content_type="video/mp4")
        waveform = set_video(project, REMOTE_URL)
    assert waveform.status == "failed"
    assert waveform.error_message == "The video is larger than dubweb reads for a waveform (0.0038147 MB)."


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/media/keynote.mp4",
        "http://localhost/keynote.mp4",
        "http://169.254.169.254/latest",
    ],
)
def test_a_link_to_the_machine_itself_or_a_private_address_is_refused(computing, project, url):
    computing.PROVIDER_SANDBOX = False
    with responses.RequestsMock() as web:  # nothing may be requested
        waveform = set_video(project, url)
        assert len(web.calls) == 0
    assert waveform.status == "failed"
    assert waveform.error_message == "The video link points to a private address; dubweb does not fetch it."


def test_a_page_instead_of_a_video_is_named(computing, fake_dns, project):
    with responses.RequestsMock() as web:
        web.get(REMOTE_URL, body="<html>Watch on our site</html>", content_type="text/html")
        waveform = set_video(project, REMOTE_URL)
    assert waveform.error_message.startswith(
        "videos.example.com sent a text/html page instead of a video file"
    )


# --- when it is computed -------------------------------------------------------------------------------


def _edit(client, project, url):
    return client.post(
        reverse("projects:edit", args=[project.pk]),
        {"title": project.title, "source_video_url": url, "source_language": project.source_language,
         "target_language": project.target_language, "status": project.status},
    )  # fmt: skip


def test_changing_the_video_url_computes_the_new_videos_peaks(
    computing, client, manager, project, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert _edit(client, project, "/static/tone.mp4").status_code == 302
    first = waveforms.source_waveform(project)
    assert first.status == "ready" and first.source_url == "/static/tone.mp4"
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client, project, "/static/silent.mp4")
    second = waveforms.source_waveform(project)
    assert (second.pk, second.status, second.source_url) == (first.pk, "failed", "/static/silent.mp4")
    assert second.generation == first.generation + 1
    # The peaks of the old video are no longer served as the new video's.
    assert client.get(reverse("projects:waveform-peaks", args=[project.pk])).status_code == 404


def test_saving_other_settings_does_not_recompute(
    computing, client, manager, project, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client, project, "/static/tone.mp4")
    generation = waveforms.source_waveform(project).generation
    project.refresh_from_db()
    project.title = "Renamed"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _edit(client, project, "/static/tone.mp4")
    assert waveforms.source_waveform(project).generation == generation
    assert callbacks == []


def test_removing_the_video_removes_its_waveform(computing, project):
    peaks = set_video(project, "/static/tone.mp4").peaks_file
    assert peaks.storage.exists(peaks.name)
    set_video(project, "")
    assert not Waveform.objects.filter(project=project).exists()
    assert not peaks.storage.exists(peaks.name)


def test_the_demo_keynote_gets_its_waveform(db, computing, settings):
    settings.STATICFILES_DIRS = [Path(__file__).resolve().parents[1] / "static"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    keynote = Project.objects.get(source_video_url="/static/demo/keynote.mp4")
    waveform = waveforms.source_waveform(keynote)
    assert waveform.status == "ready" and 40_000 < waveform.duration_ms < 50_000
    assert Waveform.objects.count() == 1  # the other demo projects have no video


def test_a_task_overtaken_by_a_newer_request_changes_nothing(computing, project):
    project.source_video_url = "/static/tone.mp4"
    project.save()
    with TestCase.captureOnCommitCallbacks(execute=False):  # queued, not run yet
        older = waveforms.compute_again(project)
    newer = set_video(project, "/static/silent.mp4")
    assert waveforms.compute(older.pk, older.generation) is None
    newer.refresh_from_db()
    assert (newer.status, newer.error_message) == ("failed", "This video has no audio track.")


def test_compute_again_recomputes_for_managers(computing, client, manager, project):
    set_video(project, "/static/truncated.mp4")
    (computing.STATICFILES_DIRS[0] / "truncated.mp4").rename(computing.STATICFILES_DIRS[0] / "kept.mp4")
    try:
        shutil.copy(
            computing.STATICFILES_DIRS[0] / "tone.mp4", computing.STATICFILES_DIRS[0] / "truncated.mp4"
        )
        client.force_login(manager)
        with TestCase.captureOnCommitCallbacks(execute=True):
            answer = client.post(
                reverse("projects:waveform-compute", args=[project.pk]), headers={"HX-Request": "true"}
            )
        assert answer.status_code == 200
        assert (
            "Waveform:" in answer.content.decode()
            and 'data-waveform-status="pending"' in answer.content.decode()
        )
        assert waveforms.source_waveform(project).status == "ready"
        page = client.get(reverse("projects:waveform-status", args=[project.pk])).content.decode()
        assert 'data-waveform-status="ready"' in page and "Compute again" in page
        assert f'data-peaks-url="/projects/{project.pk}/waveform/peaks.dat"' in page
    finally:
        (computing.STATICFILES_DIRS[0] / "kept.mp4").replace(computing.STATICFILES_DIRS[0] / "truncated.mp4")


def test_compute_again_while_computing_says_so(computing, client, manager, project):
    project.source_video_url = "/static/tone.mp4"
    project.save()
    with TestCase.captureOnCommitCallbacks(execute=False):
        waveforms.compute_again(project)
    client.force_login(manager)
    answer = client.post(
        reverse("projects:waveform-compute", args=[project.pk]), headers={"HX-Request": "true"}
    )
    assert "The waveform is being computed already." in answer.content.decode()
    assert 'hx-trigger="every 3s"' in answer.content.decode()  # it keeps asking until it is done


def test_viewers_see_the_status_without_the_button(computing, client, viewer, project):
    set_video(project, "/static/silent.mp4")
    client.force_login(viewer)
    status_url = reverse("projects:waveform-status", args=[project.pk])
    assert (
        f'hx-get="{status_url}" hx-trigger="load"' in client.get(project.get_absolute_url()).content.decode()
    )
    page = client.get(status_url).content.decode()
    assert "This video has no audio track." in page
    assert "Compute again" not in page
    assert client.post(reverse("projects:waveform-compute", args=[project.pk])).status_code == 403


# --- serving -------------------------------------------------------------------------------------------


def test_peaks_are_served_with_an_etag_and_revalidated_with_304(computing, client, editor, project):
    set_video(project, "/static/tone.mp4")
    client.force_login(editor)
    url = reverse("projects:waveform-peaks", args=[project.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/octet-stream"
    assert first["Cache-Control"] == "private, no-cache"
    etag = first["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_gzip_is_sent_to_browsers_that_take_it_under_its_own_etag(computing, client, editor, project):
    set_video(project, "/static/tone.mp4")
    client.force_login(editor)
    url = reverse("projects:waveform-peaks", args=[project.pk])
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed["ETag"]})
    assert again.status_code == 304


def test_a_new_computation_changes_the_etag(computing, client, editor, project):
    set_video(project, "/static/tone.mp4")
    client.force_login(editor)
    url = reverse("projects:waveform-peaks", args=[project.pk])
    etag = client.get(url)["ETag"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        waveforms.compute_again(project)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_peaks_are_for_members_only(computing, client, outsider, project):
    set_video(project, "/static/tone.mp4")
    url = reverse("projects:waveform-peaks", args=[project.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_project_without_video_answers_why_there_are_no_peaks(client, viewer, project):
    project.source_video_url = ""
    project.save()
    client.force_login(viewer)
    answer = client.get(reverse("projects:waveform-peaks", args=[project.pk]))
    assert answer.status_code == 404 and answer.json()["status"] == "none"


def test_one_query_for_the_peaks_after_the_project(
    computing, client, editor, project, django_assert_max_num_queries
):
    set_video(project, "/static/tone.mp4")
    client.force_login(editor)
    url = reverse("projects:waveform-peaks", args=[project.pk])
    with django_assert_max_num_queries(4):  # session, user, project with role, waveform
        client.get(url)


# --- a dub's waveform ----------------------------------------------------------------------------------


def test_a_kept_voice_track_gets_its_waveform(computing, fake_dns, client, viewer, manager, project, media):
    computing.KEEP_PROVIDER_OUTPUTS = True
    audio_url = "https://cdn.example.com/renders/out_tts.wav"
    job = Submission.objects.create(
        project=project,
        provider=Submission.Provider.DUBFORMER,
        kind=Submission.Kind.RETRANSLATE,
        status=Submission.Status.WAITING,
        created_by=manager,
    )
    with responses.RequestsMock() as web:
        web.get(audio_url, body=(media / "tone.wav").read_bytes(), content_type="audio/wav")
        with TestCase.captureOnCommitCallbacks(execute=True):
            submissions._succeed(job, video="", audio=audio_url)
    waveform = Waveform.objects.get(submission=job)
    assert (waveform.track, waveform.status) == ("audio", "ready")
    client.force_login(viewer)
    answer = client.get(reverse("projects:output-waveform-peaks", args=[project.pk, job.pk, "audio"]))
    levels = peaks_of(answer)
    assert len(levels) == 300 and min(levels[110:190]) >= 10 and loudest(levels, 0, 0.95) == 0
    missing = client.get(reverse("projects:output-waveform-peaks", args=[project.pk, job.pk, "video"]))
    assert missing.status_code == 404
