"""dubweb's own copy of a finished job's outputs: downloaded after the job succeeds, served seekable to
project members, and retried when the provider's link failed."""

import io

import pytest
import requests
import responses
from django.test import TestCase
from django.urls import reverse

from dubweb.http_ranges import requested_range
from projects.models import Submission
from projects.providers.downloads import DownloadFailed, download
from projects.services import outputs, submissions

VIDEO_URL = "https://cdn.example.com/renders/out.mp4"
AUDIO_URL = "https://cdn.example.com/renders/out_tts.wav"
VIDEO = bytes(range(256)) * 40  # 10 240 bytes
AUDIO = b"RIFF" + b"\x01" * 5000


@pytest.fixture(autouse=True)
def _public_names(fake_dns):
    """cdn.example.com resolves to a public address (offline)."""


@pytest.fixture
def web():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def keeping(settings, tmp_path):
    settings.KEEP_PROVIDER_OUTPUTS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def finished_job(project, manager, *, video=VIDEO_URL, audio=AUDIO_URL):
    """A job that has just succeeded with these output links (its copy runs as it would after commit)."""
    submission = Submission.objects.create(
        project=project,
        provider=Submission.Provider.DUBFORMER,
        kind=Submission.Kind.RETRANSLATE,
        status=Submission.Status.WAITING,
        created_by=manager,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        submissions._succeed(submission, video=video, audio=audio)
    return submission


# --- Range requests ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-50", (950, 999)),
        ("bytes=900-5000", (900, 999)),  # clipped to the end
        ("bytes=1000-", "unsatisfiable"),
        ("bytes=-0", "unsatisfiable"),
        ("bytes=0-1,5-9", None),  # several ranges: the whole file
        ("bytes=50-10", None),
        ("items=0-10", None),
        ("", None),
        ("bytes=" + "9" * 5000 + "-", None),  # absurdly long numbers: ignored, not an error
        ("bytes=0-" + "9" * 5000, None),
    ],
)
def test_a_range_header_is_read_as_browsers_send_it(header, expected):
    assert requested_range(header, 1000) == expected


# --- downloading ---------------------------------------------------------------------------------------


def test_a_busy_file_server_is_retried_and_the_file_arrives_whole(web):
    web.get(VIDEO_URL, status=503)
    web.get(VIDEO_URL, body=b"partial-then-dropped", status=500)
    web.get(VIDEO_URL, body=VIDEO, content_type="video/mp4")
    slept, dest = [], io.BytesIO()
    fetched = download(VIDEO_URL, dest, max_bytes=10**6, sleep=slept.append)
    assert dest.getvalue() == VIDEO  # nothing left over from the failed attempts
    assert fetched.size == len(VIDEO) and fetched.content_type == "video/mp4"
    assert len(slept) == 2 and slept[1] > slept[0] * 0.9  # backoff grows (with jitter)


def test_an_expired_link_is_not_retried_and_says_so(web):
    web.get(VIDEO_URL, status=403, body="<Error>AccessDenied</Error>")
    slept = []
    with pytest.raises(DownloadFailed, match="may have expired"):
        download(VIDEO_URL, io.BytesIO(), max_bytes=10**6, sleep=slept.append)
    assert len(web.calls) == 1 and slept == []


def test_a_web_page_instead_of_media_is_refused(web):
    web.get(VIDEO_URL, body="<html>Please log in</html>", content_type="text/html")
    with pytest.raises(DownloadFailed, match="text/html page instead of the output file"):
        download(VIDEO_URL, io.BytesIO(), max_bytes=10**6, sleep=lambda s: None)


def test_a_file_over_the_limit_is_refused_without_filling_the_disk(web):
    web.get(VIDEO_URL, body=VIDEO, content_type="video/mp4")
    with pytest.raises(DownloadFailed, match="larger than dubweb keeps"):
        download(VIDEO_URL, io.BytesIO(), max_bytes=1000, sleep=lambda s: None)


def test_a_file_server_that_never_answers_ends_with_a_message(web):
    web.get(VIDEO_URL, body=requests.ConnectTimeout())
    slept = []
    with pytest.raises(DownloadFailed, match="could not be reached"):
        download(VIDEO_URL, io.BytesIO(), max_bytes=10**6, sleep=slept.append)
    assert len(web.calls) == 4 and len(slept) == 3


def test_only_web_links_are_fetched():
    with pytest.raises(DownloadFailed, match="not an http"):
        download("file:///etc/passwd", io.BytesIO(), max_bytes=10**6)


# --- keeping a copy ------------------------------------------------------------------------------------


def test_a_finished_job_keeps_its_outputs_and_plays_them_from_dubweb(web, keeping, project, manager, client):
    web.get(VIDEO_URL, body=VIDEO, content_type="video/mp4")
    web.get(AUDIO_URL, body=AUDIO, content_type="audio/wav")
    job = finished_job(project, manager)
    job.refresh_from_db()
    assert job.output_copy == Submission.OutputCopy.KEPT
    assert job.output_video_file.read() == VIDEO and job.output_audio_file.read() == AUDIO

    client.force_login(manager)
    panel = client.get(reverse("projects:providers-panel", args=[project.pk])).content.decode()
    ours = reverse("projects:submission-output", args=[project.pk, job.pk, "video"])
    assert f'src="{ours}"' in panel  # the player uses dubweb's copy, not the provider's link
    assert f'href="{ours}?download=1"' in panel and "Copy kept in dubweb" in panel
    assert 'hx-trigger="every 3s"' not in panel  # nothing left to follow


def test_the_copy_is_served_seekable_to_members_only(
    web, keeping, project, manager, viewer, outsider, client
):
    web.get(VIDEO_URL, body=VIDEO, content_type="video/mp4")
    web.get(AUDIO_URL, body=AUDIO, content_type="audio/wav")
    job = finished_job(project, manager)
    url = reverse("projects:submission-output", args=[project.pk, job.pk, "video"])

    client.force_login(viewer)
    whole = client.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == VIDEO
    assert whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "video/mp4"
    part = client.get(url, HTTP_RANGE="bytes=1000-1999")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 1000-1999/{len(VIDEO)}"
    assert b"".join(part.streaming_content) == VIDEO[1000:2000]
    assert client.get(url, HTTP_RANGE=f"bytes={len(VIDEO)}-").status_code == 416
    saved = client.get(url + "?download=1")
    assert (
        saved["Content-Disposition"].startswith("attachment;")
        and "-video.mp4" in saved["Content-Disposition"]
    )
    assert (
        client.get(reverse("projects:submission-output", args=[project.pk, job.pk, "nope"])).status_code
        == 404
    )

    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_copy_that_failed_shows_the_providers_link_and_can_be_tried_again(
    web, keeping, project, manager, client
):
    web.get(VIDEO_URL, status=404, body="gone")
    web.get(AUDIO_URL, body=AUDIO, content_type="audio/wav")
    job = finished_job(project, manager)
    job.refresh_from_db()
    assert job.output_copy == Submission.OutputCopy.FAILED
    assert "answered 404" in job.output_copy_error and job.output_audio_file  # the audio was kept

    client.force_login(manager)
    panel = client.get(reverse("projects:providers-panel", args=[project.pk])).content.decode()
    assert "dubweb could not keep a copy" in panel and f'src="{VIDEO_URL}"' in panel
    assert "Copy the output again" in panel

    web.replace(responses.GET, VIDEO_URL, body=VIDEO, content_type="video/mp4")
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(
            reverse("projects:output-copy-retry", args=[project.pk, job.pk]), HTTP_HX_REQUEST="true"
        )
    assert again.status_code == 200
    job.refresh_from_db()
    assert job.output_copy == Submission.OutputCopy.KEPT and job.output_video_file.read() == VIDEO
    audio_calls = [call for call in web.calls if call.request.url == AUDIO_URL]
    assert len(audio_calls) == 1  # what was already kept is not fetched again

    refused = client.post(
        reverse("projects:output-copy-retry", args=[project.pk, job.pk]), HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 409 and "Only a copy that failed" in refused.content.decode()


def test_only_people_who_send_jobs_can_ask_for_the_copy_again(web, keeping, project, manager, viewer, client):
    web.get(VIDEO_URL, status=404)
    web.get(AUDIO_URL, status=404)
    job = finished_job(project, manager)
    client.force_login(viewer)
    response = client.post(
        reverse("projects:output-copy-retry", args=[project.pk, job.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.output_copy == Submission.OutputCopy.FAILED


def test_a_modelslab_voice_track_is_kept_as_audio(web, keeping, project, manager):
    web.get(AUDIO_URL, body=AUDIO, content_type="audio/wav")
    job = Submission.objects.create(project=project, provider=Submission.Provider.MODELSLAB,
                                    kind=Submission.Kind.NEW_DUB, status=Submission.Status.WAITING)  # fmt: skip
    from projects.providers.modelslab import DubbingResult

    with TestCase.captureOnCommitCallbacks(execute=True):
        submissions._apply_modelslab(job, DubbingResult(status="success", id="9", output_urls=(AUDIO_URL,)))
    job.refresh_from_db()
    assert job.output_audio_url == AUDIO_URL and not job.output_video_url
    assert job.output_audio_file.name.endswith(".wav")


def test_without_keeping_outputs_the_providers_links_are_used(settings, project, manager, client):
    settings.KEEP_PROVIDER_OUTPUTS = False
    job = finished_job(project, manager)
    assert job.output_copy == Submission.OutputCopy.NONE
    client.force_login(manager)
    panel = client.get(reverse("projects:providers-panel", args=[project.pk])).content.decode()
    assert f'src="{VIDEO_URL}"' in panel and "Keeping a copy" not in panel


def test_deleting_a_job_deletes_its_copies(web, keeping, project, manager):
    web.get(VIDEO_URL, body=VIDEO, content_type="video/mp4")
    web.get(AUDIO_URL, body=AUDIO, content_type="audio/wav")
    job = finished_job(project, manager)
    job.refresh_from_db()
    path = job.output_video_file.path
    project.delete()
    import os

    assert not os.path.exists(path)


def test_a_copy_whose_task_died_can_be_tried_again_later(settings, project, manager, client):
    settings.KEEP_PROVIDER_OUTPUTS = True
    job = Submission.objects.create(project=project, provider=Submission.Provider.DUBFORMER,
                                    kind=Submission.Kind.RETRANSLATE, status=Submission.Status.SUCCEEDED,
                                    output_video_url=VIDEO_URL, output_copy=Submission.OutputCopy.PENDING)  # fmt: skip
    assert not outputs.copy_stuck(job)
    Submission.objects.filter(pk=job.pk).update(updated_at=job.updated_at - outputs.STUCK_AFTER * 2)
    job.refresh_from_db()
    assert outputs.copy_stuck(job)
    client.force_login(manager)
    panel = client.get(reverse("projects:providers-panel", args=[project.pk])).content.decode()
    assert "Copy the output again" in panel


def test_kept_outputs_are_never_public_files(settings):
    # Not even in a DEBUG run (the demo): a copy is reached through the members-only view alone.
    import importlib

    from django.urls import URLResolver
    from django.urls.exceptions import Resolver404
    from django.urls.resolvers import RegexPattern

    settings.DEBUG = True
    urls = importlib.reload(importlib.import_module("dubweb.urls"))
    try:
        with pytest.raises(Resolver404):
            URLResolver(RegexPattern(r"^/"), urls).resolve("/media/outputs/team-1/project-1/dub.mp4")
    finally:
        settings.DEBUG = False
        importlib.reload(urls)
