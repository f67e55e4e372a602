"""Provider jobs: queued by a person, sent once by a worker, followed until they end."""

import json
import re
from datetime import timedelta

import pytest
import responses
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from projects.models import Segment, Submission
from projects.services import submissions

from .factories import SegmentFactory, SpeakerFactory

DF = settings.DUBFORMER_BASE_URL + "/api/v1"
ML = settings.MODELSLAB_BASE_URL + "/api/v6/voice"
READY = {
    "name": "Launch keynote", "source_lang": "en", "target_lang": "fr-FR", "status": "ready",
    "mixing_mode": "voiceover_with_original_track", "cost_minutes": 10, "created_date": "2024-06-01T12:00:00Z",
    "completion_date": "2024-06-02T12:00:00Z",
    "output_video_url": "https://cdn.example.com/out.mp4", "output_tts_audio_url": "https://cdn.example.com/out.wav",
    "output_source_script": [{"start_ms": 100, "end_ms": 1544, "text": "Hello world!", "speaker_id": 1}],
    "output_target_script": [{"start_ms": 100, "end_ms": 1544, "text": "Bonjour le monde !", "speaker_id": 1}],
    "output_target_speakers": [{"speaker_id": 1, "voice_key": "voice:Rachel", "style": "feminine"}],
}  # fmt: skip


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def script(project):
    project.dubformer_project_id = "12345"
    project.save()
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna", voice_key="soundalike")
    SegmentFactory(
        project=project,
        start_ms=0,
        end_ms=1500,
        target_text="Bonjour.",
        speaker=anna,
        review_status="approved",
    )  # pushes need every segment approved (test_push_review.py)
    return project


def iso_in(**delta):
    return (timezone.now() + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def accepted(project_id="12345"):
    return {"project_id": project_id, "cost_minutes": 0, "estimated_completion_date": "2030-06-05T12:00:00Z",
            "balance_minutes": 90, "translations_count": 1}  # fmt: skip


def test_a_retranslation_is_sent_once_with_the_submissions_idempotency_key(api, script, manager):
    api.post(
        f"{DF}/projects/12345/translations", status=500, json={"error": "Internal", "message": "try again"}
    )
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    submission = submissions.queue(script, Submission.Kind.RETRANSLATE, options={"tts_volume": "louder"}, by=manager,
                                   enqueue=False)  # fmt: skip
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING
    keys = {call.request.headers["Idempotency-Key"] for call in api.calls}
    assert keys == {str(submission.idempotency_key)}  # the retry reused it
    sent = json.loads(api.calls[-1].request.body)
    assert sent["tts_volume"] == "louder" and sent["target_script"][0]["text"] == "Bonjour."
    assert submission.request == sent
    assert submission.balance_minutes == 90
    submissions.send(submission.pk)  # the same task again (a redelivery) sends nothing more
    assert len(api.calls) == 2


def test_following_a_job_ends_with_its_outputs(api, script, manager):
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    api.get(
        f"{DF}/projects/12345",
        json={**READY, "status": "in_progress", "estimated_completion_date": "2030-01-01T00:00:00Z"},
    )
    submission = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING and submission.next_check_at is not None
    api.replace(responses.GET, f"{DF}/projects/12345", json=READY)
    submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED
    assert submission.output_video_url == "https://cdn.example.com/out.mp4"


def test_importing_a_dubformer_project_fills_the_script(api, project, manager):
    api.get(f"{DF}/projects/777", json=READY)
    submission = submissions.queue(project, Submission.Kind.IMPORT, options={"dubformer_project_id": "777"}, by=manager,
                                   enqueue=False)  # fmt: skip
    submissions.send(submission.pk)
    submissions.check(submission.pk)
    project.refresh_from_db()
    assert project.dubformer_project_id == "777"
    assert list(
        Segment.objects.filter(project=project).values_list(
            "source_text", "target_text", "speaker__voice_key"
        )
    ) == [("Hello world!", "Bonjour le monde !", "voice:Rachel")]


def test_a_refusal_fails_the_job_with_a_readable_message(api, script, manager):
    api.post(
        f"{DF}/projects/12345/translations",
        status=402,
        json={"error": "PaymentRequiredError", "message": "Insufficient balance for this project"},
    )
    submission = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "Insufficient balance" in submission.error_message
    assert len(api.calls) == 1  # 4xx is final


def test_a_script_that_cannot_be_sent_is_explained_without_calling_the_provider(api, script, manager):
    SegmentFactory(project=script, start_ms=5000, end_ms=6000, speaker=None, review_status="approved")
    submission = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "Segment 2 (00:00:05.000) has no speaker" in submission.error_message
    assert len(api.calls) == 0


@pytest.mark.parametrize(("sent_ago", "status"), [(timedelta(0), Submission.Status.WAITING),
                                               (timedelta(hours=2), Submission.Status.SUCCEEDED)])  # fmt: skip
def test_a_ready_older_than_the_push_is_believed_only_long_past_the_expected_end(api, script, manager, sent_ago,
                                                                                  status):  # fmt: skip
    # READY completed in 2024, before this push was sent: most likely the previous translation's result.
    api.post(
        f"{DF}/projects/12345/translations",
        json={**accepted(), "estimated_completion_date": "2001-01-01T00:00:00Z"},
    )
    api.get(f"{DF}/projects/12345", json=READY)
    submission = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    submissions.send(submission.pk)
    Submission.objects.filter(pk=submission.pk).update(sent_at=timezone.now() - sent_ago)
    submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == status


def test_a_modelslab_dub_is_confirmed_by_a_fetch_after_its_webhook(api, project, manager, client, settings):
    processing = {"status": "processing", "id": 334166, "eta": 100, "output": [],
                  "fetch_result": f"{ML}/fetch/271", "future_links": ["https://cdn.example.com/dub.mp4"]}  # fmt: skip
    api.post(f"{ML}/create_dubbing", json=processing)
    api.post(
        f"{ML}/fetch/271",
        json={"status": "success", "id": 334166, "output": ["https://cdn.example.com/dub.mp4"]},
    )
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, options={"voice_id": "henry", "speed": 1.0},
                                   by=manager, enqueue=False)  # fmt: skip
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING and submission.fetch_url.endswith("/fetch/271")
    assert settings.MODELSLAB_API_KEY not in json.dumps(submission.request)  # stored masked
    sent = json.loads(api.calls[0].request.body)
    assert (
        sent["webhook"].endswith(f"/hooks/modelslab/{submission.webhook_token}/")
        and sent["track_id"] == submission.pk
    )

    hook = reverse("projects:modelslab-webhook", args=[submission.webhook_token])
    payload = {
        "status": "success",
        "id": "334166",
        "output": ["https://cdn.example.com/dub.mp4"],
        "track_id": str(submission.pk),
    }
    for _ in range(2):  # delivered twice, as ModelsLab may
        assert client.post(hook, payload, content_type="application/json").status_code == 204
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED
    assert submission.output_video_url == "https://cdn.example.com/dub.mp4"
    assert len([c for c in api.calls if "/fetch/" in c.request.url]) == 1  # confirmed once, then ignored


def test_a_webhook_that_echoes_a_null_track_id_still_counts(api, project, manager, client):
    api.post(f"{ML}/create_dubbing", json={"status": "processing", "id": 7, "eta": 30, "output": []})
    api.post(f"{ML}/fetch/7", json={"status": "success", "output": ["https://cdn.example.com/dub.mp4"]})
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    hook = reverse("projects:modelslab-webhook", args=[submission.webhook_token])
    payload = {"status": "success", "id": 7, "output": ["https://cdn.example.com/dub.mp4"], "track_id": None}
    assert client.post(hook, payload, content_type="application/json").status_code == 204
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED


def test_a_webhook_for_another_track_is_refused(api, project, manager, client):
    api.post(f"{ML}/create_dubbing", json={"status": "processing", "id": 7, "eta": 30, "output": []})
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    hook = reverse("projects:modelslab-webhook", args=[submission.webhook_token])
    payload = {"status": "success", "id": 7, "track_id": submission.pk + 1}
    assert client.post(hook, payload, content_type="application/json").status_code == 404
    assert not [call for call in api.calls if "/fetch/" in call.request.url]


@pytest.mark.parametrize(
    ("site_url", "webhook_sent"), [("http://dubweb.internal", False), ("https://dub.example.com", True)]
)
def test_modelslab_is_given_a_webhook_only_at_an_https_address(
    api, project, manager, settings, site_url, webhook_sent
):
    # ModelsLab calls public HTTPS URLs only (providers.md §2.5); without one the dub is followed by polling.
    settings.SITE_URL = site_url
    api.post(f"{ML}/create_dubbing", json={"status": "processing", "id": 7, "eta": 30, "output": []})
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    sent = json.loads(api.calls[0].request.body)
    assert ("webhook" in sent) is webhook_sent
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING


def test_a_success_without_any_file_is_a_failure_people_can_read(api, project, manager):
    api.post(f"{ML}/create_dubbing", json={"status": "success", "id": 7, "output": ""})
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert submission.error_message == "ModelsLab says the dub is done but gave no file to download."


def test_a_webhook_with_an_unknown_token_or_bad_body_is_refused(client, db):
    hook = reverse("projects:modelslab-webhook", args=["not-a-token"])
    assert client.post(hook, {"status": "success"}, content_type="application/json").status_code == 404
    assert client.post(hook, "{nope", content_type="application/json").status_code == 400


def test_a_modelslab_send_interrupted_by_a_crash_is_not_sent_again(api, project, manager):
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    # the worker died here, longer ago than a task may run
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.SENDING, updated_at=timezone.now() - timedelta(hours=1)
    )
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "interrupted" in submission.error_message
    assert len(api.calls) == 0


def test_a_dubformer_send_interrupted_by_a_crash_is_resent_with_the_same_key(api, script, manager):
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    submission = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.SENDING, updated_at=timezone.now() - timedelta(hours=1)
    )
    submissions.send(submission.pk)
    assert api.calls[0].request.headers["Idempotency-Key"] == str(submission.idempotency_key)


def test_the_same_push_cannot_be_queued_twice_while_running(script, manager):
    submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    with pytest.raises(submissions.SubmissionError, match="already under way"):
        submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)


def test_managers_queue_from_the_page_and_viewers_only_watch(
    client, manager, viewer, script, django_capture_on_commit_callbacks, api
):
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    client.force_login(viewer)
    panel = client.get(reverse("projects:providers-panel", args=[script.pk])).content.decode()
    assert "Push re-translation" not in panel
    url = reverse("projects:submission-create", args=[script.pk, "retranslate"])
    assert client.post(url, {"mixing_mode": "voiceover_only", "tts_volume": "normal"}).status_code == 403
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"mixing_mode": "voiceover_only", "tts_volume": "normal"})
    body = response.content.decode()
    assert "Re-translation: queued." in body
    assert Submission.objects.get().status == Submission.Status.WAITING  # the (synchronous) worker sent it
    assert "Sandbox" in body  # sent to the built-in sandbox, and labelled so


def test_bad_options_are_explained(client, manager, script):
    client.force_login(manager)
    response = client.post(reverse("projects:submission-create", args=[script.pk, "new_dub"]), {"speed": "9"})
    assert response.status_code == 422
    assert "Ensure this value is less than or equal to 2.0" in response.content.decode()
    assert not Submission.objects.exists()


def test_outsiders_see_no_jobs(client, outsider, script, manager):
    submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    client.force_login(outsider)
    assert client.get(reverse("projects:providers-panel", args=[script.pk])).status_code == 404
    assert "Launch keynote" not in client.get(reverse("projects:jobs")).content.decode()


def test_team_keys_are_stored_encrypted_shown_masked_and_used(client, owner, viewer, team, script, api):
    client.force_login(viewer)
    assert client.get(reverse("projects:provider-keys", args=[team.slug])).status_code == 403
    client.force_login(owner)
    client.post(reverse("projects:provider-keys", args=[team.slug]), {"dubformer": "df-team-key-abcdef-9876"})
    from projects.models import ProviderCredential

    stored = ProviderCredential.objects.get(team=team)
    assert "df-team-key" not in stored.encrypted_key
    page = client.get(reverse("projects:provider-keys", args=[team.slug])).content.decode()
    assert "…9876" in page and "df-team-key-abcdef-9876" not in page
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    submission = submissions.queue(script, Submission.Kind.RETRANSLATE, by=owner, enqueue=False)
    submissions.send(submission.pk)
    assert api.calls[0].request.headers["Authorization"] == "Bearer df-team-key-abcdef-9876"


def test_a_teams_modelslab_key_travels_in_the_body_and_is_stored_masked(
    client, owner, team, project, api, settings
):
    settings.MODELSLAB_API_KEY = ""  # the real service, with no key in the environment
    client.force_login(owner)
    client.post(reverse("projects:provider-keys", args=[team.slug]), {"modelslab": "ml-team-key-abcdef-4321"})
    api.post(f"{ML}/create_dubbing", json={"status": "processing", "id": 7, "eta": 30, "output": []})
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=owner, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert json.loads(api.calls[0].request.body)["key"] == "ml-team-key-abcdef-4321"
    assert submission.status == Submission.Status.WAITING
    assert "ml-team-key-abcdef-4321" not in json.dumps(submission.request)


def test_watching_a_project_checks_its_due_jobs_once(client, viewer, script, manager, api):
    api.post(f"{DF}/projects/12345/translations", json=accepted())
    api.get(f"{DF}/projects/12345", json=READY)
    submission = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    submissions.send(submission.pk)
    Submission.objects.filter(pk=submission.pk).update(next_check_at=submission.created_at)  # due now
    api.replace(responses.GET, f"{DF}/projects/12345", json={**READY, "completion_date": iso_in(minutes=1)})
    client.force_login(viewer)
    client.get(reverse("projects:providers-panel", args=[script.pk]))
    client.get(reverse("projects:providers-panel", args=[script.pk]))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED
    assert len([call for call in api.calls if call.request.method == "GET"]) == 1


def test_a_busy_provider_is_explained_while_the_job_waits_to_be_sent_again(api, project, manager, client):
    api.post(
        f"{ML}/create_dubbing",
        status=429,
        json={"status": "error", "message": "Queue is full", "retry_after": 0},
    )
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED
    client.force_login(manager)
    panel = client.get(reverse("projects:providers-panel", args=[project.pk])).content.decode()
    assert re.search(
        r"ModelsLab is busy and did not take it yet; dubweb sends it again \d+\xa0seconds from now", panel
    )


def test_a_running_job_follows_itself_and_leaves_the_rest_of_the_panel_alone(
    client, manager, outsider, script
):
    job = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    card_url = reverse("projects:submission-card", args=[script.pk, job.pk])
    client.force_login(manager)
    panel = client.get(reverse("projects:providers-panel", args=[script.pk])).content.decode()
    section = panel[panel.index("<section") : panel.index(">", panel.index("<section"))]
    assert "hx-trigger" not in section  # the forms are never swapped under someone typing
    assert f'hx-get="{card_url}" hx-trigger="every 3s"' in panel
    card = client.get(card_url).content.decode()
    assert (
        card.lstrip().startswith(f'<li class="job job--queued" id="job-{job.pk}"')
        and "Stop following" in card
    )
    submissions.cancel(job, by=manager)
    card = client.get(card_url).content.decode()
    assert "Cancelled" in card and "hx-trigger" not in card  # ended: it stops asking
    job.delete()
    assert client.get(card_url).content == b""  # gone: the card goes, and its polling with it
    client.force_login(outsider)
    assert client.get(card_url).status_code == 404


# --- one team's work stays its own, and a refused request says why ------------------------------------------


def test_another_teams_dubformer_project_cannot_be_imported_or_linked(
    client, manager, script, other_team, api
):
    from .factories import ProjectFactory

    ProjectFactory(team=other_team, title="Rival film", dubformer_project_id="33486486")
    client.force_login(manager)
    response = client.post(reverse("projects:submission-create", args=[script.pk, "import"]),
                           {"dubformer_project_id": "33486486"})  # fmt: skip
    assert response.status_code == 409
    assert "belongs to another team&#x27;s project" in response.content.decode()
    assert not Submission.objects.exists() and not api.calls
    edit = client.post(reverse("projects:edit", args=[script.pk]), {
        "title": script.title, "source_language": script.source_language, "target_language": script.target_language,
        "status": script.status, "dubformer_project_id": "33486486"})  # fmt: skip
    assert "belongs to another team&#x27;s project" in edit.content.decode()
    script.refresh_from_db()
    assert script.dubformer_project_id == "12345"


def test_creating_on_dubformer_again_must_be_asked_for(client, manager, script, api):
    client.force_login(manager)
    url = reverse("projects:submission-create", args=[script.pk, "create_project"])
    panel = client.get(reverse("projects:providers-panel", args=[script.pk])).content.decode()
    assert "Already on Dubformer as #12345" in panel and "Make a new one anyway" in panel
    response = client.post(url, {"mixing_mode": "voiceover_only"})
    assert response.status_code == 409 and "already on Dubformer (#12345)" in response.content.decode()
    assert not Submission.objects.exists()
    response = client.post(url, {"mixing_mode": "voiceover_only", "create_again": "on"})
    assert response.status_code == 200 and Submission.objects.get().kind == Submission.Kind.CREATE_PROJECT


@pytest.mark.parametrize(
    "key", ["abc\r\nX-Injected: 1\r\nrest-12345678", "ключ-секрет-ÄÖÜ-9999", "two words"]
)
def test_a_key_no_header_can_carry_is_refused_when_entered(client, owner, team, key):
    from projects.models import ProviderCredential

    client.force_login(owner)
    response = client.post(reverse("projects:provider-keys", args=[team.slug]), {"dubformer": key})
    assert "without spaces or line breaks: paste it again" in response.content.decode()
    assert not ProviderCredential.objects.exists()


def test_a_stored_key_no_header_can_carry_fails_the_job_with_a_message_and_no_leak(
    script, manager, api, caplog
):
    from projects.models import ProviderCredential

    credential = ProviderCredential(team=script.team, provider=Submission.Provider.DUBFORMER)
    credential.set_key("abc\r\nX-Injected: 1\r\nrest-12345678")  # entered before keys were checked
    credential.save()
    submission = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    submissions.send(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED  # not left "Sending" for ever
    assert "No usable Dubformer API key" in submission.error_message
    assert not api.calls
    assert "X-Injected" not in caplog.text and "rest-12345678" not in caplog.text


def test_the_keys_page_says_what_it_did(client, owner, team):
    url = reverse("projects:provider-keys", args=[team.slug])
    client.force_login(owner)
    page = client.post(url, {"modelslab": "ml-team-key-abcdef-4321"}, follow=True).content.decode()
    assert "ModelsLab key saved." in page
    page = client.post(url, {"remove_modelslab": "on"}, follow=True).content.decode()
    assert "ModelsLab key removed." in page
    page = client.post(url, {}, follow=True).content.decode()
    assert "Nothing to change" in page


def test_an_absurd_project_id_is_not_found(client, manager):
    client.force_login(manager)
    assert client.get(reverse("projects:providers-panel", args=[2**63])).status_code == 404


def test_a_webhook_nested_too_deep_is_refused_not_an_error(client, db):
    hook = reverse("projects:modelslab-webhook", args=["any-token"])
    body = '{"a":' + "[" * 100_000 + "]" * 100_000 + "}"
    assert client.post(hook, body, content_type="application/json").status_code == 400


def test_an_expired_session_sends_the_browser_to_login_not_into_a_fragment(client, script, manager):
    job = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    project_page = script.get_absolute_url()
    response = client.get(reverse("projects:submission-card", args=[script.pk, job.pk]),
                          headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{project_page}"})  # fmt: skip
    assert response.headers["HX-Redirect"] == f"{reverse('login')}?next={project_page}"
    assert b"Sign in" not in response.content
