"""The provider sandbox follows the documented Dubformer and ModelsLab contracts (/work/shared/providers.md)."""

import io
import json
import re
import shutil
import wave
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from sandbox import media
from sandbox.models import Balance, DubformerProject, ModelsLabJob
from sandbox.webhooks import deliver_due_webhooks

from .schemas import dubformer_validator, modelslab_validator

CONTRACTS = Path(__file__).parent / "contracts"
DF = "/sandbox/dubformer/api/v1"
ML = "/sandbox/modelslab/api/v6/voice"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
WEBHOOK = f"{settings.SITE_URL}/projects/hooks/modelslab/tok3n/"  # dubweb's own: the only one allowed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SANDBOX_TIMEOUT_SLEEP_S = 0.01
    settings.SANDBOX_WEBHOOK_DUPLICATE_RATE = 0
    return settings.MEDIA_ROOT


def auth(key=None):
    return {"HTTP_AUTHORIZATION": f"Bearer {key or settings.DUBFORMER_API_KEY}"}


def df_post(client, path, body, **headers):
    return client.post(
        f"{DF}{path}", json.dumps(body), content_type="application/json", **{**auth(), **headers}
    )


def df_get(client, path, **headers):
    return client.get(f"{DF}{path}", **{**auth(), **headers})


def ml_post(client, path, body):
    return client.post(f"{ML}{path}", json.dumps(body), content_type="application/json")


PROJECT = {
    "name": "Keynote",
    "source_lang": "en",
    "target_lang": "fr-FR",
    "source_video_url": "https://example.com/video.mp4",
    "mixing_mode": "voiceover_with_original_track",
}
DUBBING = {
    "init_video": "https://example.com/video.mp4",
    "source_lang": "en",
    "output_lang": "es",
    "speed": 1.0,
}


def create_project(client, **changes):
    response = df_post(client, "/projects", {**PROJECT, **changes})
    assert response.status_code == 200, response.content
    return response.json()


def make_ready(model, **lookup):
    model.objects.filter(**lookup).update(ready_at=timezone.now() - timedelta(seconds=1))


def create_dubbing(client, **changes):
    response = ml_post(client, "/create_dubbing", {"key": settings.MODELSLAB_API_KEY, **DUBBING, **changes})
    assert response.status_code == 200, response.content
    return response.json()


def fetch(client, number):
    return ml_post(client, f"/fetch/{number}", {"key": settings.MODELSLAB_API_KEY})


def fail_next(client, **plan):
    response = client.post("/sandbox/control/fail", json.dumps(plan), content_type="application/json")
    assert response.status_code == 201, response.content


# --------------------------------------------------------------------------------------------------------
# Dubformer


def test_create_project_answers_job_accepted_and_charges_the_balance(client):
    body = create_project(client)
    dubformer_validator("JobAccepted").validate(body)
    assert set(body) == {
        "project_id",
        "cost_minutes",
        "estimated_completion_date",
        "balance_minutes",
        "translations_count",
    }
    assert isinstance(body["project_id"], str) and body["project_id"].isdigit()
    assert body["cost_minutes"] == 1 and body["translations_count"] == 0
    assert body["balance_minutes"] == 599
    assert ISO_Z.match(body["estimated_completion_date"])
    assert df_get(client, "/balance").json() == {"balance_minutes": 599}


def test_project_is_in_progress_then_ready_with_outputs_and_scripts(client):
    project_id = create_project(client)["project_id"]
    body = df_get(client, f"/projects/{project_id}").json()
    dubformer_validator("Project").validate(body)
    assert body["status"] == "in_progress" and ISO_Z.match(body["estimated_completion_date"])
    assert "output_video_url" not in body and "project_id" not in body

    make_ready(DubformerProject, project_id=project_id)
    body = df_get(client, f"/projects/{project_id}").json()
    dubformer_validator("Project").validate(body)
    assert body["status"] == "ready"
    assert {"name", "source_lang", "target_lang", "mixing_mode", "cost_minutes", "created_date"} <= set(body)
    assert ISO_Z.match(body["completion_date"]) and ISO_Z.match(body["created_date"])
    assert body["output_tts_audio_url"].startswith("http://testserver/sandbox/outputs/")
    assert len(body["output_source_script"]) == len(body["output_target_script"]) >= 3
    assert body["output_target_script"][0]["text"].startswith("Bon retour")
    speaker_ids = {s["speaker_id"] for s in body["output_target_speakers"]}
    assert {s["speaker_id"] for s in body["output_target_script"]} <= speaker_ids


def test_outputs_are_playable_wav_files(client):
    project_id = create_project(client)["project_id"]
    make_ready(DubformerProject, project_id=project_id)
    body = df_get(client, f"/projects/{project_id}").json()
    response = client.get(body["output_tts_audio_url"].removeprefix("http://testserver"))
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    with wave.open(io.BytesIO(b"".join(response.streaming_content))) as audio:
        assert audio.getnframes() / audio.getframerate() == pytest.approx(30, abs=1)
    # Without a local source video, the video link is the WAV too.
    assert body["output_video_url"] == body["output_tts_audio_url"]


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_local_static_source_gives_a_muxed_mp4(client):
    project_id = create_project(client, source_video_url="http://testserver/static/demo/keynote.mp4")[
        "project_id"
    ]
    make_ready(DubformerProject, project_id=project_id)
    url = df_get(client, f"/projects/{project_id}").json()["output_video_url"]
    assert url.endswith(".mp4")
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert b"ftyp" in b"".join(response.streaming_content)[:64]


def _loudness(path, from_ms, to_ms):
    """The loudest 16-bit sample of the WAV between two times."""
    import array

    with wave.open(str(path)) as audio:
        rate = audio.getframerate()
        audio.setpos(from_ms * rate // 1000)
        samples = array.array("h", audio.readframes((to_ms - from_ms) * rate // 1000))
    return max((abs(sample) for sample in samples), default=0)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_voice_track_speaks_each_line_where_it_is_timed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lines = [{"start_ms": 500, "end_ms": 2000, "text": "Bonjour à tous.", "speaker_id": 1},
             {"start_ms": 4000, "end_ms": 4600, "text": "Une phrase bien trop longue pour sa place.", "speaker_id": 2}]  # fmt: skip
    path = media.ensure_output("speech.wav", 6.0, "", lines, language="fr-FR", styles={1: "feminine"})
    with wave.open(str(path)) as audio:
        assert audio.getnframes() / audio.getframerate() == pytest.approx(6.0, abs=0.05)
    assert _loudness(path, 0, 450) == 0 and _loudness(path, 600, 1400) > 1000  # speech where the line is
    assert _loudness(path, 2600, 3900) == 0  # silence between the lines
    assert _loudness(path, 4050, 4550) > 1000  # the second line starts on time


def test_without_espeak_the_voice_track_is_a_tone_during_each_line(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(media.shutil, "which", lambda name: None)
    lines = [{"start_ms": 1000, "end_ms": 2000, "text": "Hello.", "speaker_id": 1}]
    path = media.ensure_output("tone.wav", 3.0, "", lines, language="en")
    assert _loudness(path, 1100, 1900) > 1000 and _loudness(path, 0, 900) == 0


def test_output_is_not_served_before_ready(client):
    project_id = create_project(client)["project_id"]
    name = DubformerProject.objects.get(project_id=project_id).output_audio_name
    assert client.get(f"/sandbox/outputs/{name}").status_code == 404


@pytest.mark.parametrize("headers", [{}, auth("wrong-key")])
def test_dubformer_rejects_missing_or_wrong_key(client, headers):
    response = client.post(f"{DF}/projects", json.dumps(PROJECT), content_type="application/json", **headers)
    assert response.status_code == 401
    assert response.json() == {"error": "UnauthorizedError", "message": "Invalid API key"}
    assert client.get(f"{DF}/balance", **headers).status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source_lang": None}, "source_lang"),
        ({"source_lang": "en-US"}, "source_lang"),
        ({"target_lang": "fr"}, "target_lang"),
        ({"source_video_url": "video.mp4"}, "source_video_url"),
        ({"source_video_url": "/static/demo/keynote.mp4"}, "source_video_url"),  # a path is not a URL
        ({"mixing_mode": "loud"}, "mixing_mode"),
        ({"use_emotional_transfer": True, "target_lang": "uk-UA"}, "use_emotional_transfer"),
    ],
)
def test_create_project_validation_errors_name_the_field(client, changes, field):
    body = {k: v for k, v in {**PROJECT, **changes}.items() if v is not None}
    response = df_post(client, "/projects", body)
    assert response.status_code == 400
    dubformer_validator("Error").validate(response.json())
    assert response.json()["error"] == "ValidationError" and field in response.json()["message"]
    assert not DubformerProject.objects.exists()


def test_insufficient_balance_is_payment_required(client):
    create_project(client)
    Balance.objects.update(minutes=0)
    response = df_post(client, "/projects", PROJECT)
    assert response.status_code == 402
    assert response.json() == {
        "error": "PaymentRequiredError",
        "message": "Insufficient balance for this project",
    }


def test_idempotency_key_returns_the_same_project(client):
    first = df_post(client, "/projects", PROJECT, HTTP_IDEMPOTENCY_KEY="push-1").json()
    again = df_post(client, "/projects", PROJECT, HTTP_IDEMPOTENCY_KEY="push-1").json()
    other = df_post(client, "/projects", PROJECT, HTTP_IDEMPOTENCY_KEY="push-2").json()
    assert again["project_id"] == first["project_id"] != other["project_id"]
    assert DubformerProject.objects.count() == 2
    assert df_get(client, "/balance").json()["balance_minutes"] == 598


def test_unknown_project_is_not_found(client):
    response = df_get(client, "/projects/999")
    assert response.status_code == 404 and response.json()["error"] == "NotFoundError"
    assert df_post(client, "/projects/999/translations", {}).status_code == 404


RETRANSLATION = {
    "target_script": [
        {"start_ms": 100, "end_ms": 1544, "text": "Au revoir le monde!", "speaker_id": 1},
        {"start_ms": 2000, "end_ms": 3500, "text": "À bientôt.", "speaker_id": 2},
    ],
    "target_speakers": [
        {"speaker_id": 1, "voice_key": "53f154:fr-FR-DeniseNeural", "style": "feminine"},
        {"speaker_id": 2, "voice_key": "soundalike", "style": "masculine"},
    ],
    "mixing_mode": "voiceover_only",
    "tts_volume": "louder",
}


def test_retranslation_goes_back_in_progress_then_reports_the_posted_script(client):
    project_id = create_project(client)["project_id"]
    make_ready(DubformerProject, project_id=project_id)
    response = df_post(client, f"/projects/{project_id}/translations", RETRANSLATION)
    assert response.status_code == 200
    body = response.json()
    dubformer_validator("JobAccepted").validate(body)
    assert body["project_id"] == project_id and body["cost_minutes"] == 0 and body["translations_count"] == 1
    assert body["balance_minutes"] == 599
    assert df_get(client, f"/projects/{project_id}").json()["status"] == "in_progress"

    make_ready(DubformerProject, project_id=project_id)
    project = df_get(client, f"/projects/{project_id}").json()
    assert project["status"] == "ready" and project["mixing_mode"] == "voiceover_only"
    assert project["output_target_script"] == RETRANSLATION["target_script"]
    assert project["output_target_speakers"] == RETRANSLATION["target_speakers"]
    assert "_v1_" in project["output_tts_audio_url"]


@override_settings(SANDBOX_READY_AFTER_S=0)
def test_ready_after_zero_seconds(client):
    project_id = create_project(client)["project_id"]
    assert df_get(client, f"/projects/{project_id}").json()["status"] == "ready"


def broken(path, value):
    """RETRANSLATION with one value replaced; path like ("target_script", 0, "speaker_id")."""
    body = json.loads(json.dumps(RETRANSLATION))
    *parents, last = path
    target = body
    for step in parents:
        target = target[step]
    target[last] = value
    return body


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            broken(("target_script", 1, "speaker_id"), 7),
            ["target_script[1].speaker_id", "7", "target_speakers"],
        ),
        (broken(("target_script", 0, "end_ms"), 100), ["target_script[0]", "start_ms", "end_ms"]),
        (broken(("target_speakers", 0, "style"), "neutral"), ["target_speakers[0].style"]),
        (broken(("tts_volume",), "max"), ["tts_volume"]),
        (broken(("target_speakers",), []), ["target_speakers"]),
    ],
)
def test_retranslation_validation_errors(client, body, words):
    project_id = create_project(client)["project_id"]
    response = df_post(client, f"/projects/{project_id}/translations", body)
    assert response.status_code == 400 and response.json()["error"] == "ValidationError"
    for word in words:
        assert word in response.json()["message"]
    assert DubformerProject.objects.get(project_id=project_id).translations_count == 0


def test_retranslation_honours_idempotency_key(client):
    project_id = create_project(client)["project_id"]
    path = f"/projects/{project_id}/translations"
    first = df_post(client, path, RETRANSLATION, HTTP_IDEMPOTENCY_KEY="t-1").json()
    again = df_post(client, path, RETRANSLATION, HTTP_IDEMPOTENCY_KEY="t-1").json()
    assert first == again and first["translations_count"] == 1
    assert DubformerProject.objects.get(project_id=project_id).translations_count == 1


def test_voices_catalogue(client):
    voices = df_get(client, "/voices").json()["voices"]
    assert {
        "voice_key": "53f154:fr-FR-DeniseNeural",
        "name": "Denise",
        "language": "fr-FR",
        "gender": "female",
    } in (voices)
    french = df_get(client, "/voices?target_lang=fr-FR").json()["voices"]
    assert french and all(v["language"] == "fr-FR" for v in french)


def test_error_marker_ends_in_error_and_refunds(client):
    project_id = create_project(client, name="Doomed [sandbox:error]")["project_id"]
    assert df_get(client, "/balance").json()["balance_minutes"] == 599
    make_ready(DubformerProject, project_id=project_id)
    body = df_get(client, f"/projects/{project_id}").json()
    dubformer_validator("Project").validate(body)
    assert body["status"] == "error" and "failed" in body["error_message"]
    assert df_get(client, "/balance").json()["balance_minutes"] == 600


def test_fail_marker_fails_the_first_creates_then_succeeds(client):
    body = {**PROJECT, "name": "Flaky [sandbox:fail=500x2]"}
    for _ in range(2):
        response = df_post(client, "/projects", body)
        assert response.status_code == 500 and response.json()["error"] == "InternalServerError"
    assert df_post(client, "/projects", body).status_code == 200
    assert DubformerProject.objects.count() == 1


# --------------------------------------------------------------------------------------------------------
# Failure plans


def test_planned_429_carries_retry_after(client):
    fail_next(client, provider="dubformer", endpoint="balance", kind="429", times=1)
    response = df_get(client, "/balance")
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert set(response.json()) == {"error", "message"}
    assert df_get(client, "/balance").status_code == 200


def test_planned_500_twice_then_success(client):
    fail_next(client, provider="modelslab", endpoint="create_dubbing", kind="500", times=2)
    payload = {"key": settings.MODELSLAB_API_KEY, **DUBBING}
    for _ in range(2):
        response = ml_post(client, "/create_dubbing", payload)
        assert response.status_code == 500
        assert response.json() == {"status": "error", "message": "Internal server error. Please try again."}
    assert ml_post(client, "/create_dubbing", payload).json()["status"] == "processing"


def test_planned_modelslab_429_has_retry_after_in_body(client):
    fail_next(client, provider="modelslab", endpoint="*", kind="429", times=1)
    response = fetch(client, 1)
    assert response.status_code == 429 and response.json()["retry_after"] == 1
    modelslab_validator("Error").validate(response.json())


def test_planned_malformed_body(client):
    fail_next(client, provider="dubformer", endpoint="*", kind="malformed", times=1)
    response = df_get(client, "/balance")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.content == b'{"status": "succ'
    with pytest.raises(ValueError):
        json.loads(response.content)


def test_planned_timeout_delays_then_answers(client):
    fail_next(client, provider="dubformer", endpoint="voices", kind="timeout", times=1)
    assert df_get(client, "/voices").status_code == 200


@pytest.mark.parametrize(
    "plan",
    [
        {"provider": "other", "endpoint": "*", "kind": "500"},
        {"provider": "dubformer", "endpoint": "fetch", "kind": "500"},
        {"provider": "dubformer", "endpoint": "*", "kind": "418"},
        {"provider": "dubformer", "endpoint": "*", "kind": "500", "times": 0},
        {"provider": "dubformer", "endpoint": "*", "kind": "500", "times": 10**30},
        {"provider": [], "endpoint": "*", "kind": "500"},
        {"provider": "dubformer", "endpoint": {}, "kind": "500"},
        {"provider": "modelslab", "endpoint": "fetch", "kind": "stale"},
    ],
)
def test_control_rejects_bad_plans(client, plan):
    response = client.post("/sandbox/control/fail", json.dumps(plan), content_type="application/json")
    assert response.status_code == 400


@override_settings(PROVIDER_SANDBOX=False)
def test_sandbox_answers_nothing_when_off(client):
    assert df_get(client, "/balance").status_code == 404
    response = client.post("/sandbox/control/fail", "{}", content_type="application/json")
    assert response.status_code == 404


# --------------------------------------------------------------------------------------------------------
# ModelsLab


def test_create_dubbing_answers_processing_with_a_distinct_fetch_id(client):
    body = create_dubbing(client, file_prefix="spanish_dub", track_id=7)
    modelslab_validator("VoiceResponse").validate(body)
    assert body["status"] == "processing" and body["output"] == []
    assert isinstance(body["id"], int) and isinstance(body["eta"], int)
    fetch_id = int(body["meta"]["id"])
    assert fetch_id != body["id"]
    assert body["fetch_result"] == f"http://testserver{ML}/fetch/{fetch_id}"
    assert body["future_links"][0].startswith("http://testserver/sandbox/outputs/dubbed_")
    meta = body["meta"]
    assert meta["speed"] == "1" and meta["file_prefix"] == "spanish_dub" and meta["voice"] == "af_heart"
    assert meta["output_lang"] == "es" and meta["track_id"] == 7


def test_fetch_is_processing_then_success(client):
    created = create_dubbing(client)
    fetch_id = int(created["meta"]["id"])
    body = fetch(client, fetch_id).json()
    assert body["status"] == "processing" and body["output"] == ""

    make_ready(ModelsLabJob, job_id=created["id"])
    for number in [fetch_id, created["id"]]:
        body = fetch(client, number).json()
        modelslab_validator("VoiceResponse").validate(body)
        assert body["status"] == "success" and body["id"] == created["id"]
        assert body["output"] == created["future_links"]
    audio = client.get(body["output"][0].removeprefix("http://testserver"))
    assert audio.status_code == 200 and audio["Content-Type"] in {"audio/wav", "video/mp4"}


def test_fetch_unknown_request(client):
    response = fetch(client, 5)
    assert response.status_code == 200
    assert response.json() == {"status": "error", "message": "request not found"}


@pytest.mark.parametrize("key", [None, "wrong"])
def test_modelslab_rejects_missing_or_wrong_key(client, key):
    body = {**DUBBING, **({"key": key} if key else {})}
    response = ml_post(client, "/create_dubbing", body)
    assert response.status_code == 401
    assert response.json() == {"status": "error", "message": "Invalid API key"}
    assert ml_post(client, "/fetch/1", {"key": "wrong"}).status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"init_video": None}, "init_video"),
        ({"output_lang": None}, "output_lang"),
        ({"output_lang": "de"}, "output_lang"),
        ({"init_video": "/static/demo/keynote.mp4"}, "init_video"),
        ({"webhook": "/hooks/modelslab/x/"}, "webhook"),
        ({"track_id": "7"}, "track_id"),
        ({"seed": 1.5}, "seed"),
        ({"voice_id": 12}, "voice_id"),
        ({"track_id": 10**30}, "track_id"),
        ({"init_video": "http://[::1"}, "init_video"),
        ({"speed": float("inf")}, "speed"),
    ],
)
def test_create_dubbing_validation(client, changes, field):
    body = {
        k: v for k, v in {"key": settings.MODELSLAB_API_KEY, **DUBBING, **changes}.items() if v is not None
    }
    response = ml_post(client, "/create_dubbing", body)
    assert response.status_code == 400
    modelslab_validator("Error").validate(response.json())
    assert field in response.json()["message"]


def test_a_dub_is_fetched_only_with_the_key_that_made_it(client, settings):
    settings.SANDBOX_MODELSLAB_KEYS = ["another-account"]
    job = ml_post(client, "/create_dubbing", {"key": settings.MODELSLAB_API_KEY, **DUBBING}).json()
    stranger = ml_post(client, f"/fetch/{job['id']}", {"key": "another-account"}).json()
    assert stranger == {"status": "error", "message": "request not found"}
    assert ml_post(client, f"/fetch/{job['id']}", {"key": settings.MODELSLAB_API_KEY}).json()["status"] in (
        "processing",
        "success",
    )


def test_a_wrong_method_answers_in_each_providers_error_shape(client):
    assert client.get(f"{ML}/create_dubbing").json() == {"status": "error", "message": "Method not allowed"}
    assert client.put(f"{DF}/balance").json()["error"] == "MethodNotAllowed"


def test_voice_list(client):
    body = ml_post(client, "/voice_list", {"key": settings.MODELSLAB_API_KEY, "type": "manual"}).json()
    assert body["status"] == "success"
    assert {"voice_id": "actor", "name": "Actor", "language": "english"} in body["voices"]


def test_modelslab_error_marker_fails_the_job(client):
    created = create_dubbing(client, file_prefix="bad [sandbox:error]")
    make_ready(ModelsLabJob, job_id=created["id"])
    body = fetch(client, created["id"]).json()
    assert body["status"] == "error" and "Processing failed" in body["message"]


# --------------------------------------------------------------------------------------------------------
# Webhooks


@responses.activate
def test_webhook_is_delivered_once_when_ready(client):
    responses.add(responses.POST, WEBHOOK, json={"ok": True})
    created = create_dubbing(client, webhook=WEBHOOK, track_id=42)
    assert deliver_due_webhooks() == 0  # still processing

    make_ready(ModelsLabJob, job_id=created["id"])
    assert deliver_due_webhooks() == 1
    assert deliver_due_webhooks() == 0
    payload = json.loads(responses.calls[0].request.body)
    assert payload["status"] == "success" and payload["id"] == str(created["id"])
    assert payload["track_id"] == "42" and payload["output"] == created["future_links"]
    assert payload["meta"]["output_lang"] == "es"
    assert ModelsLabJob.objects.get(job_id=created["id"]).webhook_deliveries == 1


@responses.activate
def test_webhook_can_arrive_twice(client):
    responses.add(responses.POST, WEBHOOK, json={"ok": True})
    created = create_dubbing(client, webhook=WEBHOOK, file_prefix="dup [sandbox:webhook=twice]")
    make_ready(ModelsLabJob, job_id=created["id"])
    assert deliver_due_webhooks() == 2
    bodies = [json.loads(call.request.body) for call in responses.calls]
    assert bodies[0] == bodies[1] and bodies[0]["id"] == str(created["id"])


@responses.activate
def test_failed_job_webhook_says_failed(client):
    responses.add(responses.POST, WEBHOOK, status=500)
    created = create_dubbing(client, webhook=WEBHOOK, track_id=3, file_prefix="x [sandbox:error]")
    make_ready(ModelsLabJob, job_id=created["id"])
    assert deliver_due_webhooks() == 1
    payload = json.loads(responses.calls[0].request.body)
    assert payload["status"] == "failed" and payload["track_id"] == "3" and payload["message"]
    job = ModelsLabJob.objects.get(job_id=created["id"])
    assert job.webhook_deliveries == 1 and job.webhook_last_error == "HTTP 500"


@pytest.mark.parametrize(
    "webhook",
    [
        "http://example.invalid/",
        "http://127.0.0.1:22/",
        "http://169.254.169.254/latest/meta-data/",
        f"{settings.SITE_URL}/admin/",  # dubweb, but not its webhook endpoint
        f"{settings.SITE_URL}/projects/hooks/modelslab/tok3n/?then=http://example.invalid/",
        "https://127.0.0.1:9/projects/hooks/modelslab/tok3n/",  # another scheme, so another origin
        "http://127.0.0.1:10/projects/hooks/modelslab/tok3n/",  # another port
        "http://user@127.0.0.1:9/projects/hooks/modelslab/tok3n/",
    ],
)
@responses.activate
def test_anyone_with_the_sandbox_key_cannot_make_the_server_post_elsewhere(client, webhook):
    # No login: the sandbox key is well known. Nothing is registered with `responses`, so any POST the
    # worker tried would be recorded in responses.calls.
    response = ml_post(
        client, "/create_dubbing", {"key": settings.MODELSLAB_API_KEY, **DUBBING, "webhook": webhook}
    )
    assert response.status_code == 400
    modelslab_validator("Error").validate(response.json())
    assert "dubweb's own ModelsLab webhook" in response.json()["message"]
    assert not ModelsLabJob.objects.exists()
    assert deliver_due_webhooks() == 0
    assert len(responses.calls) == 0


@responses.activate
def test_a_job_stored_with_a_foreign_webhook_is_never_posted(client):
    created = create_dubbing(client, webhook=WEBHOOK)
    ModelsLabJob.objects.filter(job_id=created["id"]).update(webhook_url="http://127.0.0.1:22/")
    make_ready(ModelsLabJob, job_id=created["id"])
    deliver_due_webhooks()
    assert len(responses.calls) == 0
    job = ModelsLabJob.objects.get(job_id=created["id"])
    assert "not dubweb's own ModelsLab webhook" in job.webhook_last_error
