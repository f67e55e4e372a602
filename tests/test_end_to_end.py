"""Whole journeys over real HTTP: the live server serves both the app and the providers' sandbox, the
real clients call it, and the jobs run (synchronously) as the worker would run them."""

import json
import time
from datetime import timedelta

import pytest
import requests
from django.test import override_settings
from django.utils import timezone

from projects.models import Membership, Project, Role, Segment, Submission
from projects.services import editing, submissions
from sandbox import models as sandbox_models
from sandbox.webhooks import deliver_due_webhooks

from .factories import ProjectFactory, TeamFactory, UserFactory, approve_all


@pytest.fixture
def live(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEEP_PROVIDER_OUTPUTS = True
    settings.SITE_URL = live_server.url
    settings.DUBFORMER_BASE_URL = f"{live_server.url}/sandbox/dubformer"
    settings.MODELSLAB_BASE_URL = f"{live_server.url}/sandbox/modelslab"
    settings.SANDBOX_READY_AFTER_S = 0
    settings.SANDBOX_WEBHOOK_DUPLICATE_RATE = 0
    return live_server


@pytest.fixture
def keynote(transactional_db):
    manager = UserFactory(username="marco")
    team = TeamFactory(name="Demo", slug="demo")
    Membership.objects.create(user=manager, team=team, role=Role.MANAGER)
    project = ProjectFactory(team=team, title="Launch keynote", source_video_url="/static/demo/keynote.mp4",
                             source_language="en-US", target_language="fr-FR")  # fmt: skip
    return project, manager


def run(project, kind, by, **options):
    """Queue, send and follow one action to its end, the way the worker and the scheduler do."""
    submission = submissions.queue(project, kind, options=options, by=by, enqueue=False)
    submissions.send(submission.pk)
    for _ in range(5):
        submission.refresh_from_db()
        if submission.finished:
            break
        submissions.check(submission.pk)
    submission.refresh_from_db()
    return submission


def fail_next(live_server, provider, endpoint, kind, times=1):
    response = requests.post(f"{live_server.url}/sandbox/control/fail", timeout=5,
                             json={"provider": provider, "endpoint": endpoint, "kind": kind, "times": times})  # fmt: skip
    assert response.status_code in (200, 201), response.text


def test_create_import_edit_and_push_a_retranslation(live, keynote):
    project, manager = keynote
    created = run(
        project, Submission.Kind.CREATE_PROJECT, manager, mixing_mode="voiceover_with_original_track"
    )
    assert created.status == Submission.Status.SUCCEEDED, created.error_message
    project.refresh_from_db()
    assert project.dubformer_project_id == created.provider_job_id
    assert created.sandbox and created.output_video_url.startswith(live.url)

    imported = run(project, Submission.Kind.IMPORT, manager)
    assert imported.status == Submission.Status.SUCCEEDED, imported.error_message
    segments = list(project.segments.all())
    assert segments and all(segment.speaker_id for segment in segments)

    first = segments[0]
    editing.save_segment(
        project, first.pk, {"target_text": "Une toute nouvelle réplique."}, version=first.version, by=manager
    )
    project.speakers.update(voice_key="soundalike")
    approve_all(project)  # reviewed: a push needs every segment approved
    pushed = run(project, Submission.Kind.RETRANSLATE, manager, tts_volume="louder")
    assert pushed.status == Submission.Status.SUCCEEDED, pushed.error_message
    assert pushed.output_video_url

    remote = sandbox_models.DubformerProject.objects.get(project_id=project.dubformer_project_id)
    assert remote.translations_count == 1
    assert "Une toute nouvelle réplique." in json.dumps(remote.target_script, ensure_ascii=False)
    output = requests.get(pushed.output_video_url, timeout=10)
    assert output.status_code == 200 and len(output.content) > 1000  # a real file to play
    seek = requests.get(pushed.output_video_url, headers={"Range": "bytes=100-199"}, timeout=10)
    assert seek.status_code == 206 and seek.content == output.content[100:200]  # players can seek
    # dubweb keeps its own copy of both outputs, byte for byte
    assert pushed.output_copy == Submission.OutputCopy.KEPT, pushed.output_copy_error
    assert pushed.output_video_file.read() == output.content
    assert pushed.output_audio_file.size > 1000


def test_a_retranslation_waits_while_dubformer_still_shows_the_previous_result(live, keynote):
    project, manager = keynote
    assert run(project, Submission.Kind.CREATE_PROJECT, manager).status == Submission.Status.SUCCEEDED
    project.refresh_from_db()
    assert run(project, Submission.Kind.IMPORT, manager).status == Submission.Status.SUCCEEDED
    project.speakers.update(voice_key="soundalike")
    approve_all(project)
    first = run(project, Submission.Kind.RETRANSLATE, manager)
    assert first.status == Submission.Status.SUCCEEDED, first.error_message
    remote = sandbox_models.DubformerProject.objects.filter(project_id=project.dubformer_project_id)
    remote.update(completed=timezone.now() - timedelta(minutes=5))  # it finished a while ago
    # Get Project keeps answering the first re-translation's `ready` for two more looks
    fail_next(live, "dubformer", "get_project", "stale", times=2)
    second = submissions.queue(project, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    submissions.send(second.pk)
    for _ in range(2):
        submissions.check(second.pk)
        second.refresh_from_db()
        assert second.status == Submission.Status.WAITING  # not fooled by the old result
    submissions.check(second.pk)
    second.refresh_from_db()
    assert second.status == Submission.Status.SUCCEEDED, second.error_message
    assert "_v1" in first.output_video_url and "_v2" in second.output_video_url


def test_a_modelslab_dub_ends_through_its_webhook_and_a_fetch(live, keynote):
    project, manager = keynote
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, options={"voice_id": "henry", "speed": 1.0},
                                   by=manager, enqueue=False)  # fmt: skip
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING
    job = sandbox_models.ModelsLabJob.objects.get()
    # followed through fetch_result as given, whose id is not the job's (as in ModelsLab's example)
    assert submission.provider_job_id == str(job.job_id)
    assert submission.fetch_url.endswith(f"/fetch/{job.fetch_id}") and job.fetch_id != job.job_id
    deliver_due_webhooks()  # the sandbox calls our webhook over HTTP; we confirm with a fetch
    # On a loaded machine the sandbox may stop waiting for the webhook's answer (10 s) while dubweb is
    # still copying the outputs in that request: the copy is then kept a little later.
    deadline = time.monotonic() + 60
    submission.refresh_from_db()
    while submission.output_copy == Submission.OutputCopy.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED, submission.error_message
    assert submission.output_video_url or submission.output_audio_url
    assert submission.output_copy == Submission.OutputCopy.KEPT, submission.output_copy_error
    assert sandbox_models.ModelsLabJob.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "message"),
    [("401", "api key"), ("402", "not have enough credit"), ("malformed", "not json")],
)
def test_a_refused_or_broken_answer_ends_the_job_with_a_readable_message(live, keynote, kind, message):
    project, manager = keynote
    fail_next(live, "dubformer", "create_project", kind, times=5)
    submission = run(project, Submission.Kind.CREATE_PROJECT, manager)
    assert submission.status == Submission.Status.FAILED
    assert message in submission.error_message.lower()
    assert sandbox_models.DubformerProject.objects.count() == 0


def test_busy_and_failing_providers_are_retried_without_a_second_project(live, keynote):
    project, manager = keynote
    fail_next(live, "dubformer", "create_project", "429", times=1)
    fail_next(live, "dubformer", "create_project", "500", times=1)
    submission = run(project, Submission.Kind.CREATE_PROJECT, manager)
    assert submission.status == Submission.Status.SUCCEEDED, submission.error_message
    assert sandbox_models.DubformerProject.objects.count() == 1


@pytest.mark.parametrize("busy", ["429", "queue_full"])  # queue_full: HTTP 200, status error, "messege"
def test_a_dub_turned_away_by_a_full_queue_is_sent_again_later_once(live, keynote, busy):
    project, manager = keynote
    fail_next(live, "modelslab", "create_dubbing", busy, times=4)  # through every retry of the client
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED and not submission.error_message
    assert submission.next_check_at > timezone.now() + timedelta(seconds=30)
    assert sandbox_models.ModelsLabJob.objects.count() == 0
    submissions.check_due(now=timezone.now())  # not due yet: nothing is sent
    assert sandbox_models.ModelsLabJob.objects.count() == 0
    submissions.check_due(now=submission.next_check_at)  # the periodic task, once it is due
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING, submission.error_message
    assert submission.attempts == 2
    assert sandbox_models.ModelsLabJob.objects.count() == 1


def test_a_proxy_error_page_while_following_a_dub_is_looked_at_again(live, keynote):
    project, manager = keynote
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    fail_next(live, "modelslab", "fetch", "html503", times=4)  # an HTML page, not JSON, through every retry
    submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING and not submission.error_message
    submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED, submission.error_message


@override_settings(PROVIDER_READ_TIMEOUT_S=0.5, SANDBOX_TIMEOUT_SLEEP_S=1.5)
def test_a_timeout_on_dubformer_is_retried_with_the_same_key_and_makes_one_project(live, keynote):
    project, manager = keynote
    fail_next(live, "dubformer", "create_project", "timeout", times=1)
    submission = run(project, Submission.Kind.CREATE_PROJECT, manager)
    assert submission.status == Submission.Status.SUCCEEDED, submission.error_message
    time.sleep(1.5)  # the slow first answer has finished too: still one project
    assert sandbox_models.DubformerProject.objects.count() == 1


@override_settings(PROVIDER_READ_TIMEOUT_S=0.5, SANDBOX_TIMEOUT_SLEEP_S=1.5)
def test_a_timeout_on_modelslab_is_not_resent_and_says_what_to_check(live, keynote):
    project, manager = keynote
    fail_next(live, "modelslab", "create_dubbing", "timeout", times=1)
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "did not answer in time" in submission.error_message
    # The sandbox still makes the job of the slow answer: wait for it (a loaded machine takes longer than
    # the 1.5 s it sleeps) before the test database goes away, and it stays the only one.
    deadline = time.monotonic() + 60
    while not sandbox_models.ModelsLabJob.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # the answer is written after the row
    assert sandbox_models.ModelsLabJob.objects.count() == 1


def test_a_provider_side_error_ends_the_job_with_its_reason(live, keynote):
    project, manager = keynote
    Project.objects.filter(pk=project.pk).update(title="Broken [sandbox:error]")
    project.refresh_from_db()
    submission = run(project, Submission.Kind.CREATE_PROJECT, manager)
    assert submission.status == Submission.Status.FAILED
    assert submission.error_message


def test_failed_modelslab_webhook_ends_the_job(live, keynote):
    project, manager = keynote
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    Submission.objects.filter(pk=submission.pk).update(options={})
    submissions.send(submission.pk)
    sandbox_models.ModelsLabJob.objects.update(fail_message="Processing failed: Invalid input dimensions")
    deliver_due_webhooks()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "Invalid input dimensions" in submission.error_message
    assert Segment.objects.count() == 0


def test_the_speakers_panel_offers_dubformers_voice_catalogue(live, keynote, client):
    project, manager = keynote
    client.force_login(manager)
    panel = client.get(f"/projects/{project.pk}/speakers/").content.decode()
    assert "voices from Dubformer's catalogue" in panel
    assert 'value="53f154:fr-FR-DeniseNeural"' in panel


def test_without_the_catalogue_a_voice_key_can_still_be_typed(keynote, client, settings):
    settings.DUBFORMER_BASE_URL = "http://127.0.0.1:9/unreachable"
    project, manager = keynote
    client.force_login(manager)
    response = client.get(f"/projects/{project.pk}/speakers/")
    assert response.status_code == 200
    assert "voice catalogue is not available" in response.content.decode()
