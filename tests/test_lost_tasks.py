"""Jobs whose worker task was lost (a worker killed mid-send, a Redis broker restarted with the task in
it, a broker that did not answer when the job was asked for) still end, once: bench/cluster.py does this
to a running cluster; these are the same faults, one at a time."""

import json
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from projects.models import Submission
from projects.services import submissions

from . import test_submissions
from .test_submissions import DF, accepted

# The fixtures: the mocked provider API, and a project on Dubformer with one approved line.
api = test_submissions.api
script = test_submissions.script


def _age(submission, **fields):
    """The job as a crash left it, an hour ago."""
    Submission.objects.filter(pk=submission.pk).update(**fields)


def test_a_job_whose_queued_task_was_lost_is_sent_once_by_the_periodic_task(api, script, manager):
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    lost = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    _age(lost, created_at=timezone.now() - timedelta(seconds=settings.JOB_REQUEUE_AFTER_S + 1))
    submissions.check_due()
    lost.refresh_from_db()
    assert lost.status == Submission.Status.WAITING
    submissions.send(lost.pk)  # its task, had it been only late, sends nothing more
    submissions.check_due()
    assert len(api.calls) == 1


def test_a_job_asked_for_moments_ago_is_left_to_its_own_task(api, script, manager):
    fresh = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    submissions.check_due()
    fresh.refresh_from_db()
    assert fresh.status == Submission.Status.QUEUED and not api.calls


def test_a_dubformer_job_whose_worker_died_mid_send_is_sent_again_with_the_same_key(api, script, manager):
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    job = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    _age(job, status=Submission.Status.SENDING, updated_at=timezone.now() - timedelta(hours=1))
    submissions.check_due()
    job.refresh_from_db()
    assert job.status == Submission.Status.WAITING
    assert [call.request.headers["Idempotency-Key"] for call in api.calls] == [str(job.idempotency_key)]


def test_a_modelslab_job_whose_worker_died_mid_send_fails_with_a_message_and_is_not_sent_again(
    api, project, manager
):
    job = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    _age(job, status=Submission.Status.SENDING, updated_at=timezone.now() - timedelta(hours=1))
    submissions.check_due()
    job.refresh_from_db()
    assert job.status == Submission.Status.FAILED
    assert "Check your ModelsLab account" in job.error_message
    assert not api.calls


def test_a_job_being_sent_right_now_is_not_sent_a_second_time(api, script, manager):
    job = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    _age(job, status=Submission.Status.SENDING)  # claimed a moment ago by a live worker
    submissions.check_due()
    submissions.send(job.pk)  # the same task delivered twice
    job.refresh_from_db()
    assert job.status == Submission.Status.SENDING and not api.calls


def test_watching_the_project_takes_up_a_job_whose_worker_died(api, client, script, manager):
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    job = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    _age(job, status=Submission.Status.SENDING, updated_at=timezone.now() - timedelta(hours=1))
    client.force_login(manager)
    card = client.get(reverse("projects:submission-card", args=[script.pk, job.pk]))
    assert card.status_code == 200
    job.refresh_from_db()
    assert (
        job.status == Submission.Status.WAITING
    )  # the card's poll queued it; the (synchronous) worker sent it
    client.get(reverse("projects:submission-card", args=[script.pk, job.pk]))
    assert len(api.calls) == 1


def test_a_push_while_the_broker_is_down_is_queued_for_the_person_and_sent_later(
    api,
    client,
    script,
    manager,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("django_q.tasks.async_task", broker_down)
    client.force_login(manager)
    url = reverse("projects:submission-create", args=[script.pk, "retranslate"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"mixing_mode": "voiceover_only", "tts_volume": "normal"})
    assert response.status_code == 200 and "Re-translation: queued." in response.content.decode()
    job = Submission.objects.get()
    assert job.status == Submission.Status.QUEUED
    monkeypatch.undo()
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    submissions.check_due(now=timezone.now() + timedelta(seconds=settings.JOB_REQUEUE_AFTER_S + 1))
    job.refresh_from_db()
    assert job.status == Submission.Status.WAITING
    assert json.loads(api.calls[0].request.body)["tts_volume"] == "normal"


def test_a_check_cut_short_by_the_database_going_away_looks_again_soon(api, script, manager, monkeypatch):
    from django.db import OperationalError

    api.post(f"{DF}/projects/12345/translations", json=accepted())
    job = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    submissions.send(job.pk)

    def connection_terminated(submission):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(submissions, "_check_dubformer", connection_terminated)
    submissions.check(job.pk)
    job.refresh_from_db()
    assert job.status == Submission.Status.WAITING
    # the next look is seconds away, not the five minutes the check claimed for itself
    assert job.next_check_at - timezone.now() <= timedelta(seconds=submissions.FIRST_CHECK_S)
