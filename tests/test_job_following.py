"""Following a provider job: an unreadable answer is a passing fault, a late result is still taken, a status
only changes along the allowed moves (Stop following wins over a worker's stale copy), and every answer is
kept whole (keys masked)."""

import json

import pytest
import responses
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from projects.models import Activity, Submission
from projects.services import job_states, submissions

DF = settings.DUBFORMER_BASE_URL + "/api/v1"
ML = settings.MODELSLAB_BASE_URL + "/api/v6/voice"
PROCESSING = {"status": "processing", "id": 7, "eta": 30, "output": [], "fetch_result": f"{ML}/fetch/7"}
SUCCESS = {"status": "success", "id": 7, "output": ["https://cdn.example.com/dub.mp4"]}
TRUNCATED = '{"status": "succ'


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def dub(api, project, manager):
    """A ModelsLab dub ModelsLab has taken, now followed."""
    api.post(f"{ML}/create_dubbing", json=PROCESSING)
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING
    return submission


def check_now(submission):
    Submission.objects.filter(pk=submission.pk).update(next_check_at=timezone.now())
    submissions.check(submission.pk)
    submission.refresh_from_db()
    return submission


# --- an unreadable answer while following --------------------------------------------------------------


def test_a_truncated_answer_while_following_is_looked_at_again_and_the_dub_then_ends(api, dub):
    api.post(f"{ML}/fetch/7", body=TRUNCATED, content_type="application/json")
    before = timezone.now()
    check_now(dub)
    assert dub.status == Submission.Status.WAITING and not dub.error_message
    assert dub.next_check_at > before  # later, not at once
    assert dub.responses[-1]["malformed"] and dub.responses[-1]["body"] == {"not_json": TRUNCATED}
    api.replace(responses.POST, f"{ML}/fetch/7", json=SUCCESS)
    check_now(dub)
    assert dub.status == Submission.Status.SUCCEEDED
    assert dub.output_video_url == "https://cdn.example.com/dub.mp4"
    assert len([call for call in api.calls if "create_dubbing" in call.request.url]) == 1


def test_unreadable_answers_back_off_and_stop_following_after_a_few_in_a_row(api, dub):
    api.post(f"{ML}/fetch/7", body="<html>Bad gateway</html>", status=200, content_type="text/html")
    waits = []
    for _ in range(submissions.MALFORMED_IN_A_ROW - 1):
        started = timezone.now()
        check_now(dub)
        assert dub.status == Submission.Status.WAITING
        waits.append((dub.next_check_at - started).total_seconds())
    assert waits == sorted(waits) and waits[-1] > waits[0]  # backing off
    check_now(dub)
    assert dub.status == Submission.Status.FAILED
    assert "5 times in a row" in dub.error_message and "Check again" in dub.error_message
    assert "not JSON" in dub.error_message


def test_a_late_webhook_for_a_job_dubweb_stopped_following_is_taken(
    api, dub, client, manager, django_capture_on_commit_callbacks
):
    api.post(f"{ML}/fetch/7", body=TRUNCATED, content_type="application/json")
    for _ in range(submissions.MALFORMED_IN_A_ROW):
        check_now(dub)
    assert dub.status == Submission.Status.FAILED
    api.replace(responses.POST, f"{ML}/fetch/7", json=SUCCESS)
    hook = reverse("projects:modelslab-webhook", args=[dub.webhook_token])
    payload = {**SUCCESS, "track_id": str(dub.pk)}
    with django_capture_on_commit_callbacks(execute=True):  # the check is queued once this is committed
        assert client.post(hook, payload, content_type="application/json").status_code == 204
    dub.refresh_from_db()
    assert dub.status == Submission.Status.SUCCEEDED and not dub.error_message
    assert dub.output_video_url == "https://cdn.example.com/dub.mp4"
    assert Activity.objects.filter(message__contains="after dubweb had stopped following it").exists()
    client.force_login(manager)
    card = client.get(reverse("projects:submission-card", args=[dub.project_id, dub.pk]))
    assert "Finished after dubweb had stopped following it" in card.content.decode()
    assert len([call for call in api.calls if "create_dubbing" in call.request.url]) == 1  # no second dub


def test_check_again_follows_a_failed_job_without_sending_it_again(
    api, dub, client, manager, django_capture_on_commit_callbacks
):
    api.post(f"{ML}/fetch/7", body=TRUNCATED, content_type="application/json")
    for _ in range(submissions.MALFORMED_IN_A_ROW):
        check_now(dub)
    client.force_login(manager)
    card = client.get(reverse("projects:submission-card", args=[dub.project_id, dub.pk])).content.decode()
    assert f'id="job-{dub.pk}-check-again"' in card
    api.replace(responses.POST, f"{ML}/fetch/7", json=SUCCESS)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:submission-check-again", args=[dub.project_id, dub.pk]))
    assert response.status_code == 200 and "Asking the provider" in response.content.decode()
    dub.refresh_from_db()
    assert dub.status == Submission.Status.SUCCEEDED  # the queued check ran (synchronously in tests)
    assert len([call for call in api.calls if "create_dubbing" in call.request.url]) == 1


def test_a_job_refused_before_the_provider_took_it_cannot_be_checked_again(api, project, manager, client):
    api.post(f"{ML}/create_dubbing", status=401, json={"status": "error", "message": "Invalid API key"})
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    client.force_login(manager)
    response = client.post(reverse("projects:submission-check-again", args=[project.pk, submission.pk]))
    assert response.status_code == 409
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED


def test_an_unreadable_answer_to_a_create_still_fails_it_and_is_not_sent_again(api, project, manager):
    api.post(f"{ML}/create_dubbing", body=TRUNCATED, content_type="application/json")
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED and "not JSON" in submission.error_message
    assert len(api.calls) == 1


# --- one way to change a status ------------------------------------------------------------------------


def test_stop_following_during_a_check_is_not_undone_by_the_worker(api, dub, manager):
    """The worker has read the job and let go of the row; the person stops following while it asks
    ModelsLab; the worker's "still processing, look again later" must not bring it back to waiting."""

    def stop_meanwhile(request):
        submissions.cancel(Submission.objects.get(pk=dub.pk), by=manager)
        return 200, {}, json.dumps(PROCESSING)

    api.add_callback(responses.POST, f"{ML}/fetch/7", callback=stop_meanwhile)
    check_now(dub)
    assert dub.status == Submission.Status.CANCELLED
    assert dub.next_check_at is None
    assert dub.responses[-1]["body"]["status"] == "processing"  # what the provider said is still kept


def test_a_success_seen_by_a_stale_worker_does_not_revive_a_stopped_job(api, dub, manager):
    def stop_meanwhile(request):
        submissions.cancel(Submission.objects.get(pk=dub.pk), by=manager)
        return 200, {}, json.dumps(SUCCESS)

    api.add_callback(responses.POST, f"{ML}/fetch/7", callback=stop_meanwhile)
    check_now(dub)
    assert dub.status == Submission.Status.CANCELLED and not dub.output_video_url


def test_a_transition_from_a_stale_copy_changes_nothing(dub, manager):
    stale = Submission.objects.get(pk=dub.pk)
    submissions.cancel(dub, by=manager)
    assert job_states.transition(stale, Submission.Status.WAITING, next_check_at=timezone.now()) is False
    dub.refresh_from_db()
    assert dub.status == Submission.Status.CANCELLED and dub.next_check_at is None


def test_the_allowed_moves_are_the_only_ones(dub):
    succeeded = Submission.objects.get(pk=dub.pk)
    assert job_states.transition(succeeded, Submission.Status.SUCCEEDED)
    for status in Submission.Status.values:
        with pytest.raises(job_states.IllegalTransition):
            job_states.transition(succeeded, status)
    assert set(job_states.ALLOWED) == set(Submission.Status.values)


def test_no_status_is_saved_outside_the_transition_function():
    """Every status change in services, tasks and views goes through job_states.transition."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "projects"
    offenders = []
    for path in [*root.glob("services/*.py"), *root.glob("views/*.py"), root / "tasks.py"]:
        text = path.read_text()
        for needle in ("submission.status = ", "job.status = ", "update(status=", '"status"]'):
            # job_states.py is the jobs' table of moves; project_review.py the project's own (Project.status);
            # waveforms.py moves Waveform.status (its own conditional updates), never a job's
            if needle in text and path.name not in ("job_states.py", "project_review.py", "waveforms.py"):
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []
    # and the worker never saves its whole (stale) copy of a job
    assert "submission.save()" not in (root / "services" / "submissions.py").read_text()


# --- every answer kept whole --------------------------------------------------------------------------


def test_dubformers_whole_answers_are_kept(api, project, manager):
    project.dubformer_project_id = ""
    project.save()
    created = {"project_id": "12345", "cost_minutes": 10, "estimated_completion_date": "2030-06-05T12:00:00Z",
               "balance_minutes": 90, "translations_count": 0}  # fmt: skip
    ready = {"name": "x", "source_lang": "en", "target_lang": "fr-FR", "status": "ready",
             "mixing_mode": "voiceover_only", "cost_minutes": 10, "created_date": "2030-06-01T12:00:00Z",
             "completion_date": "2030-06-02T12:00:00Z", "output_video_url": "https://cdn.example.com/out.mp4",
             "output_tts_audio_url": "https://cdn.example.com/out.wav",
             "output_source_script": [{"start_ms": 0, "end_ms": 900, "text": "Hi", "speaker_id": 1}],
             "output_target_script": [{"start_ms": 0, "end_ms": 900, "text": "Salut", "speaker_id": 1}],
             "output_target_speakers": [{"speaker_id": 1, "voice_key": "v", "style": "feminine"}]}  # fmt: skip
    api.post(f"{DF}/projects", json=created)
    api.get(f"{DF}/projects/12345", json=ready)
    submission = submissions.queue(project, Submission.Kind.CREATE_PROJECT, by=manager, enqueue=False)
    submissions.send(submission.pk)
    check_now(submission)
    assert submission.status == Submission.Status.SUCCEEDED
    assert [entry["body"] for entry in submission.responses] == [created, ready]
    assert submission.responses[0]["body"]["translations_count"] == 0
    assert submission.responses[0]["body"]["estimated_completion_date"] == "2030-06-05T12:00:00Z"
    assert submission.responses[1]["body"]["output_target_script"][0]["text"] == "Salut"
    client_page = submission.responses  # shown in the job's details
    assert client_page


def test_the_answers_are_shown_in_the_jobs_details_with_keys_masked(api, dub, client, manager):
    leaky = {**SUCCESS, "key": settings.MODELSLAB_API_KEY, "note": f"used {settings.MODELSLAB_API_KEY}",
             "meta": {"file_prefix": "episode-1-fr-fr"}}  # fmt: skip
    api.post(f"{ML}/fetch/7", json=leaky)
    check_now(dub)
    assert settings.MODELSLAB_API_KEY not in json.dumps(dub.responses)
    assert dub.responses[-1]["body"]["meta"] == {"file_prefix": "episode-1-fr-fr"}
    client.force_login(manager)
    card = client.get(reverse("projects:submission-card", args=[dub.project_id, dub.pk])).content.decode()
    answers_url = reverse("projects:submission-answers", args=[dub.project_id, dub.pk])
    assert f'id="job-{dub.pk}-answers"' in card and f'hx-get="{answers_url}"' in card
    answers = client.get(answers_url).content.decode()
    assert "episode-1-fr-fr" in answers and "fetch_result" in answers and "HTTP 200" in answers
    assert settings.MODELSLAB_API_KEY not in answers


def test_a_huge_answer_is_kept_cut_with_a_note(api, dub):
    api.post(f"{ML}/fetch/7", json={**PROCESSING, "logs": "x" * 200_000})
    check_now(dub)
    kept = dub.responses[-1]["body"]
    assert "first 64 KB are kept" in kept["truncated"] and len(kept["as_text"].encode()) <= 64 * 1024
    assert dub.status == Submission.Status.WAITING


def test_a_failed_webhook_for_a_failed_job_changes_nothing(api, dub, client):
    api.post(f"{ML}/fetch/7", json={"status": "failed", "message": "Video could not be processed"})
    check_now(dub)
    assert dub.status == Submission.Status.FAILED
    hook = reverse("projects:modelslab-webhook", args=[dub.webhook_token])
    payload = {
        "status": "failed",
        "id": "7",
        "message": "Video could not be processed",
        "track_id": str(dub.pk),
    }
    assert client.post(hook, payload, content_type="application/json").status_code == 204
    dub.refresh_from_db()
    assert dub.status == Submission.Status.FAILED and "could not be processed" in dub.error_message
    assert len([call for call in api.calls if "/fetch/" in call.request.url]) == 1


def test_a_job_given_up_after_24_hours_can_still_be_checked_again(
    api, dub, manager, django_capture_on_commit_callbacks
):
    Submission.objects.filter(pk=dub.pk).update(created_at=timezone.now() - submissions.GIVE_UP_AFTER * 2)
    dub.refresh_from_db()
    api.post(f"{ML}/fetch/7", json=PROCESSING)
    check_now(dub)
    assert dub.status == Submission.Status.FAILED and "Check again" in dub.error_message
    api.replace(responses.POST, f"{ML}/fetch/7", json=SUCCESS)
    with django_capture_on_commit_callbacks(execute=True):
        submissions.check_again(dub, by=manager)
    dub.refresh_from_db()
    assert dub.status == Submission.Status.SUCCEEDED


def test_an_answer_a_database_cannot_store_as_is_is_kept_as_text(api, dub):
    """NaN is not JSON and PostgreSQL refuses a NUL character: the answer is still kept, as text."""
    api.post(f"{ML}/fetch/7", body='{"status": "processing", "id": 7, "eta": NaN, "tip": "a\\u0000b"}',
             content_type="application/json")  # fmt: skip
    check_now(dub)
    assert dub.status == Submission.Status.WAITING
    kept = dub.responses[-1]["body"]
    assert "NaN" in kept["as_text"] and "\\u0000" not in kept["as_text"]


def test_only_members_read_a_jobs_answers(api, dub, client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("projects:submission-answers", args=[dub.project_id, dub.pk]))
    assert response.status_code in (403, 404)
