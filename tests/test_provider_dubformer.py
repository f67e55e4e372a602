"""The Dubformer Platform API client: documented bodies, validation, retries, parsing, key masking.

No database and no network: HTTP is mocked with `responses`, sleeps are recorded instead of slept.
"""

import json
import logging
import time
from datetime import UTC, datetime
from email.utils import formatdate

import pytest
import requests
import responses

from projects.providers.dubformer import (
    CreateProjectRequest,
    DubformerClient,
    RetranslationRequest,
    ScriptLine,
    Voice,
    VoiceAssignment,
)
from projects.providers.http import (
    InvalidRequest,
    MalformedResponse,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
    RetryPolicy,
)

from .schemas import dubformer_errors

BASE_URL = "https://app.dubformer.ai"
API = f"{BASE_URL}/api/v1"
KEY = "df-secret-key-123456"

# The documented Get Project examples (docs.dubformer.ai/platform/endpoints/projects/get-project).
IN_PROGRESS = {
    "name": "My Project",
    "source_lang": "en",
    "target_lang": "fr-FR",
    "mixing_mode": "voiceover_with_original_track",
    "cost_minutes": 10,
    "created_date": "2024-06-01T12:00:00Z",
    "status": "in_progress",
    "estimated_completion_date": "2024-06-05T12:00:00Z",
}
READY = {
    "name": "My Project",
    "source_lang": "en",
    "target_lang": "fr-FR",
    "mixing_mode": "voiceover_with_original_track",
    "cost_minutes": 10,
    "created_date": "2024-06-01T12:00:00Z",
    "status": "ready",
    "completion_date": "2024-06-02T12:00:00Z",
    "output_video_url": "https://example.com/output_video.mp4",
    "output_tts_audio_url": "https://example.com/output_tts_audio.wav",
    "output_source_script": [{"start_ms": 100, "end_ms": 1544, "text": "Hello world!", "speaker_id": 1}],
    "output_target_script": [{"start_ms": 100, "end_ms": 1544, "text": "Bonjour le monde!", "speaker_id": 1}],
    "output_target_speakers": [{"speaker_id": 1, "voice_key": "voice:Rachel", "style": "feminine"}],
}
ACCEPTED = {
    "project_id": "12345",
    "cost_minutes": 0,
    "estimated_completion_date": "2024-06-05T12:00:00Z",
    "balance_minutes": 90,
    "translations_count": 1,
}


contract_errors = dubformer_errors


def retranslation(**overrides):
    """The re-translation from Dubformer's own example: one French line, one speaker."""
    fields = {
        "target_script": (ScriptLine(100, 1544, "Au revoir le monde!", 1),),
        "target_speakers": (VoiceAssignment(1, "feminine", "53f154:fr-FR-DeniseNeural"),),
        "mixing_mode": "voiceover_only",
    }
    return RetranslationRequest(**{**fields, **overrides})


def two_speaker_script(**overrides):
    fields = {
        "target_script": (
            ScriptLine(0, 1200, "Bonjour à tous.", 1),
            ScriptLine(1300, 2600, "Merci, Anna.", 2),
            ScriptLine(2700, 4100, "Commençons.", 1),
        ),
        "target_speakers": (
            VoiceAssignment(1, "feminine", "53f154:fr-FR-DeniseNeural"),
            VoiceAssignment(2, "masculine", "soundalike"),
        ),
    }
    return RetranslationRequest(**{**fields, **overrides})


def new_project(**overrides):
    fields = {
        "source_lang": "en",
        "target_lang": "fr-FR",
        "source_video_url": "https://example.com/video.mp4",
    }
    return CreateProjectRequest(**{**fields, **overrides})


def problems_of(request):
    with pytest.raises(InvalidRequest) as refused:
        request.validate()
    return refused.value.problems


@pytest.fixture
def api():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    return DubformerClient(BASE_URL, KEY, sleep=sleeps.append, retry=RetryPolicy(attempts=4))


# --- Contract: what we send is what Dubformer documents ----------------------------------------------------


def test_create_project_body_is_the_documented_example():
    request = new_project(
        name="My Project", use_soundalike_voices=True, mixing_mode="voiceover_with_original_track"
    )
    body = request.to_json()
    assert body == {
        "name": "My Project",
        "source_lang": "en",
        "target_lang": "fr-FR",
        "source_video_url": "https://example.com/video.mp4",
        "use_soundalike_voices": True,
        "mixing_mode": "voiceover_with_original_track",
    }
    assert contract_errors("CreateProjectRequest", body) == []


def test_create_project_with_every_option_matches_the_contract():
    request = new_project(
        name="Keynote 2026",
        mixing_mode="voiceover_without_original_voice",
        use_emotional_transfer=True,
        use_soundalike_voices=False,
        source_script_content="1\n00:00:00,000 --> 00:00:01,200\nHello everyone.\n",
        glossary_content="keynote\tkeynote\n",
    )
    request.validate()
    assert contract_errors("CreateProjectRequest", request.to_json()) == []


def test_minimal_create_project_sends_only_the_required_fields():
    assert new_project().to_json() == {
        "source_lang": "en",
        "target_lang": "fr-FR",
        "source_video_url": "https://example.com/video.mp4",
    }


def test_retranslation_body_is_the_documented_example():
    body = retranslation().to_json()
    assert body == {
        "target_script": [{"start_ms": 100, "end_ms": 1544, "text": "Au revoir le monde!", "speaker_id": 1}],
        "target_speakers": [{"speaker_id": 1, "voice_key": "53f154:fr-FR-DeniseNeural", "style": "feminine"}],
        "mixing_mode": "voiceover_only",
    }
    assert contract_errors("CreateRetranslationRequest", body) == []


def test_retranslation_with_every_option_matches_the_contract():
    request = two_speaker_script(
        mixing_mode="voiceover_with_original_track", use_fixed_timings=True, tts_volume="louder"
    )
    request.validate()
    assert contract_errors("CreateRetranslationRequest", request.to_json()) == []


def test_retranslation_leaves_unset_options_out():
    body = two_speaker_script().to_json()
    assert set(body) == {"target_script", "target_speakers"}


@pytest.mark.parametrize(
    ("definition", "body"),
    [
        (
            "CreateProjectRequest",
            {
                "source_lang": "en",
                "target_lang": "fr-FR",
                "source_video_url": "https://e.com/v.mp4",
                "mixing_mode": "loud",
            },
        ),
        ("CreateRetranslationRequest", {"target_script": [], "target_speakers": [], "tts_volume": "max"}),
        (
            "CreateRetranslationRequest",
            {
                "target_script": [],
                "target_speakers": [{"speaker_id": 1, "style": "neutral", "voice_key": "x"}],
            },
        ),
    ],
    ids=["mixing_mode", "tts_volume", "style"],
)
def test_contract_refuses_values_outside_the_documented_enums(definition, body):
    assert contract_errors(definition, body)


@pytest.mark.parametrize("missing", ["source_lang", "target_lang", "source_video_url"])
def test_contract_requires_every_required_create_project_field(missing):
    body = new_project().to_json()
    del body[missing]
    assert contract_errors("CreateProjectRequest", body)


@pytest.mark.parametrize("missing", ["target_script", "target_speakers"])
def test_contract_requires_script_and_speakers_for_a_retranslation(missing):
    body = retranslation().to_json()
    del body[missing]
    assert contract_errors("CreateRetranslationRequest", body)


def test_documented_project_examples_fit_the_contract():
    for example in (IN_PROGRESS, READY):
        assert contract_errors("Project", example) == []
    assert contract_errors("JobAccepted", ACCEPTED) == []


# --- Validation: a bad request never leaves, and says what to fix -------------------------------------------


def test_segment_whose_speaker_has_no_voice_is_refused_naming_the_segment():
    request = two_speaker_script(target_speakers=(VoiceAssignment(1, "feminine", "soundalike"),))
    problems = problems_of(request)
    assert len(problems) == 1
    assert "Segment 2" in problems[0]
    assert "speaker_id 2" in problems[0]
    assert "target_speakers" in problems[0]


@pytest.mark.parametrize(("start_ms", "end_ms"), [(1200, 1200), (1500, 1200)])
def test_segment_that_does_not_end_after_it_starts_is_refused(start_ms, end_ms):
    request = retranslation(target_script=(ScriptLine(start_ms, end_ms, "Au revoir", 1),))
    assert problems_of(request) == [
        f"Segment 1: start_ms ({start_ms}) must be before end_ms ({end_ms}); the segment has no duration."
    ]


def test_segment_starting_before_zero_is_refused():
    request = retranslation(target_script=(ScriptLine(-5, 1200, "Au revoir", 1),))
    assert "Segment 1: start_ms (-5) must not be negative." in problems_of(request)


def test_segment_timings_must_be_whole_milliseconds():
    request = retranslation(target_script=(ScriptLine(0.5, 1200, "Au revoir", 1),))
    assert problems_of(request) == ["Segment 1: start_ms and end_ms must be whole milliseconds."]


@pytest.mark.parametrize("text", ["", "   \n"])
def test_segment_with_empty_text_is_refused(text):
    script = (ScriptLine(0, 1000, "Bonjour", 1), ScriptLine(1000, 2000, text, 1))
    problems = problems_of(retranslation(target_script=script))
    assert len(problems) == 1
    assert problems[0].startswith("Segment 2: text is empty")


def test_speaker_style_must_be_masculine_or_feminine():
    request = retranslation(target_speakers=(VoiceAssignment(1, "neutral", "soundalike"),))
    assert problems_of(request) == [
        "Speaker 1 (speaker_id 1): style must be masculine or feminine, not 'neutral'."
    ]


def test_speaker_needs_a_voice_key():
    request = retranslation(target_speakers=(VoiceAssignment(1, "feminine", " "),))
    assert problems_of(request)[0].startswith("Speaker 1 (speaker_id 1): voice_key is empty")


def test_speaker_listed_twice_is_refused():
    speakers = (VoiceAssignment(1, "feminine", "soundalike"), VoiceAssignment(1, "masculine", "soundalike"))
    problems = problems_of(retranslation(target_speakers=speakers))
    assert problems == ["Speaker 2: speaker_id 1 is listed twice in target_speakers."]


def test_empty_script_is_refused():
    problems = problems_of(retranslation(target_script=()))
    assert problems == ["The script has no segments; Dubformer needs at least one to re-translate."]


@pytest.mark.parametrize(
    ("option", "value"), [("mixing_mode", "loud"), ("tts_volume", "max"), ("use_fixed_timings", "yes")]
)
def test_retranslation_options_outside_the_documented_values_are_refused(option, value):
    problems = problems_of(retranslation(**{option: value}))
    assert len(problems) == 1
    assert problems[0].startswith(option)


def test_request_built_from_lists_is_frozen_into_tuples():
    request = RetranslationRequest(
        target_script=[ScriptLine(0, 1000, "Bonjour", 1)],
        target_speakers=[VoiceAssignment(1, "feminine", "soundalike")],
    )
    assert isinstance(request.target_script, tuple)
    assert isinstance(request.target_speakers, tuple)
    request.validate()


def test_emotional_transfer_is_refused_for_an_unsupported_target():
    problems = problems_of(new_project(target_lang="ja-JP", use_emotional_transfer=True))
    assert problems == [
        "use_emotional_transfer is only available for English, Spanish, French, German, Italian and "
        "Portuguese targets, not ja-JP."
    ]


def test_emotional_transfer_is_allowed_for_brazilian_portuguese():
    new_project(target_lang="pt-BR", use_emotional_transfer=True).validate()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("source_lang", "en-US"),
        ("source_lang", "EN"),
        ("target_lang", "fr"),
        ("target_lang", "fr-fr"),
        ("source_video_url", "ftp://example.com/video.mp4"),
        ("source_video_url", "video.mp4"),
        ("mixing_mode", "voiceover"),
    ],
)
def test_create_project_fields_in_the_wrong_shape_are_refused(field, value):
    problems = problems_of(new_project(**{field: value}))
    assert len(problems) == 1
    assert problems[0].startswith(field)


def test_invalid_retranslation_is_not_sent(client, api):
    request = retranslation(target_script=(ScriptLine(0, 1000, "", 1),))
    with pytest.raises(InvalidRequest):
        client.create_retranslation("12345", request, idempotency_key="push-1")
    assert len(api.calls) == 0


def test_post_without_an_idempotency_key_is_not_sent(client, api):
    with pytest.raises(InvalidRequest):
        client.create_project(new_project(), idempotency_key="")
    assert len(api.calls) == 0


# --- Headers and paths ----------------------------------------------------------------------------------


def test_requests_carry_the_key_as_a_bearer_token(client, api):
    api.get(f"{API}/projects/12345", json=IN_PROGRESS)
    client.get_project("12345")
    assert api.calls[0].request.headers["Authorization"] == f"Bearer {KEY}"


def test_create_project_posts_the_body_with_the_idempotency_key(client, api):
    api.post(f"{API}/projects", json={**ACCEPTED, "cost_minutes": 10, "translations_count": 0})
    client.create_project(new_project(name="Keynote"), idempotency_key="create-7f3a")
    sent = api.calls[0].request
    assert sent.headers["Idempotency-Key"] == "create-7f3a"
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.body) == new_project(name="Keynote").to_json()


def test_retries_of_one_push_reuse_its_idempotency_key(client, api):
    api.post(f"{API}/projects/12345/translations", status=500, json={"message": "Internal error"})
    api.post(f"{API}/projects/12345/translations", json=ACCEPTED)
    client.create_retranslation("12345", retranslation(), idempotency_key="push-42")
    keys = [call.request.headers["Idempotency-Key"] for call in api.calls]
    assert keys == ["push-42", "push-42"]


def test_sandbox_base_url_keeps_its_prefix(sleeps, api):
    sandbox = DubformerClient("http://127.0.0.1:8000/sandbox/dubformer/", KEY, sleep=sleeps.append)
    api.get("http://127.0.0.1:8000/sandbox/dubformer/api/v1/balance", json={"balance_minutes": 90})
    assert sandbox.balance() == 90.0


def test_project_id_is_escaped_in_the_path(client, api):
    api.get(f"{API}/projects/a%2Fb", json=IN_PROGRESS)
    client.get_project("a/b")
    assert api.calls[0].request.url == f"{API}/projects/a%2Fb"


# --- Retries -----------------------------------------------------------------------------------------------


def test_rate_limited_call_waits_what_retry_after_says_then_succeeds(client, api, sleeps):
    api.get(f"{API}/balance", status=429, headers={"Retry-After": "7"}, json={"message": "Too many requests"})
    api.get(f"{API}/balance", json={"balance_minutes": 90})
    assert client.balance() == 90.0
    assert sleeps == [7.0]


@pytest.mark.parametrize(
    "wait_in_30_s",
    [
        lambda: {"Retry-After": formatdate(time.time() + 30, usegmt=True)},  # an HTTP date
        lambda: {"X-RateLimit-Reset": str(int(time.time()) + 30)},  # the epoch second the limit resets
        lambda: {"X-RateLimit-Reset": "30"},  # seconds
    ],
)
def test_a_wait_given_as_a_date_or_a_reset_time_is_read_as_seconds(client, api, sleeps, wait_in_30_s):
    api.get(f"{API}/balance", status=429, headers=wait_in_30_s())
    api.get(f"{API}/balance", json={"balance_minutes": 90})
    assert client.balance() == 90.0
    assert (
        len(sleeps) == 1 and 25 <= sleeps[0] <= 30
    )  # less what passed since the header was written (a busy CI)


def test_rate_limit_that_persists_is_reported_as_rate_limited(client, api):
    api.get(f"{API}/balance", status=429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimited) as error:
        client.balance()
    assert error.value.retry_after_s == 1.0
    assert len(api.calls) == 4


def test_server_errors_give_up_after_the_configured_attempts(api, sleeps):
    client = DubformerClient(BASE_URL, KEY, sleep=sleeps.append, retry=RetryPolicy(attempts=3))
    api.get(f"{API}/projects/12345", status=500, json={"message": "Internal server error"})
    with pytest.raises(ProviderUnavailable) as error:
        client.get_project("12345")
    assert len(api.calls) == 3
    assert len(sleeps) == 2
    assert error.value.status == 500


def test_four_server_errors_exhaust_the_default_four_attempts(client, api):
    api.get(f"{API}/projects/12345", status=503)
    with pytest.raises(ProviderUnavailable):
        client.get_project("12345")
    assert len(api.calls) == 4


def test_timeouts_are_retried_then_reported(client, api):
    api.get(f"{API}/projects/12345", body=requests.Timeout())
    with pytest.raises(ProviderUnavailable) as error:
        client.get_project("12345")
    assert len(api.calls) == 4
    assert error.value.message == "Dubformer did not answer in time."


def test_a_timeout_followed_by_an_answer_succeeds(client, api):
    api.get(f"{API}/balance", body=requests.Timeout())
    api.get(f"{API}/balance", json={"balance_minutes": 12})
    assert client.balance() == 12.0


@pytest.mark.parametrize(
    ("status", "body", "readable"),
    [
        (
            400,
            {"error": "ValidationError", "message": "source_lang is required"},
            "Dubformer refused the request as invalid: source_lang is required.",
        ),
        (
            401,
            {"error": "UnauthorizedError", "message": "Invalid API key"},
            "Dubformer refused the API key: Invalid API key. Check the Dubformer API key in the settings.",
        ),
        (
            402,
            {"error": "PaymentRequiredError", "message": "Insufficient balance for this project"},
            "Dubformer says the account does not have enough credit or its plan does not allow this: "
            "Insufficient balance for this project. Top up the balance or change the plan in Dubformer.",
        ),
    ],
    ids=["validation", "unauthorized", "payment-required"],
)
def test_refusals_are_not_retried_and_read_clearly(client, api, sleeps, status, body, readable):
    api.post(f"{API}/projects", status=status, json=body)
    with pytest.raises(ProviderRejected) as error:
        client.create_project(new_project(), idempotency_key="create-1")
    assert len(api.calls) == 1
    assert sleeps == []
    assert error.value.message == readable
    assert error.value.status == status
    assert error.value.body == body


def test_unreadable_video_says_to_check_the_link(client, api):
    api.post(f"{API}/projects", status=400, json={"error": "VideoInfoError", "message": "Cannot read video"})
    with pytest.raises(ProviderRejected) as error:
        client.create_project(new_project(), idempotency_key="create-1")
    assert error.value.message.startswith("Dubformer could not read the source video: Cannot read video.")


def test_unknown_project_is_reported_as_such(client, api):
    api.get(f"{API}/projects/999", status=404, json={"error": "NotFound", "message": "Project not found"})
    with pytest.raises(ProviderRejected) as error:
        client.get_project("999")
    assert error.value.message == "Dubformer does not know this project: Project not found."


def test_retranslation_forbidden_says_dubformer_support_must_enable_it(client, api):
    api.post(
        f"{API}/projects/12345/translations", status=403, json={"error": "Forbidden", "message": "Forbidden"}
    )
    with pytest.raises(ProviderRejected) as error:
        client.create_retranslation("12345", retranslation(), idempotency_key="push-1")
    assert len(api.calls) == 1
    assert "must be enabled by Dubformer support (support@dubformer.ai)" in error.value.message


def test_retranslation_needing_a_plan_says_dubformer_support_must_enable_it(client, api):
    api.post(
        f"{API}/projects/12345/translations",
        status=402,
        json={"error": "PaymentRequiredError", "message": "Re-translation is not available for your account"},
    )
    with pytest.raises(ProviderRejected) as error:
        client.create_retranslation("12345", retranslation(), idempotency_key="push-1")
    assert error.value.message.startswith("Re-translation is not enabled for this Dubformer account")


def test_retranslation_without_balance_asks_for_credit(client, api):
    api.post(
        f"{API}/projects/12345/translations",
        status=402,
        json={"error": "PaymentRequiredError", "message": "Insufficient balance"},
    )
    with pytest.raises(ProviderRejected) as error:
        client.create_retranslation("12345", retranslation(), idempotency_key="push-1")
    assert "does not have enough credit" in error.value.message


def test_success_that_is_not_json_is_malformed(client, api):
    api.get(f"{API}/projects/12345", body="<html>Welcome</html>", status=200)
    with pytest.raises(MalformedResponse):
        client.get_project("12345")
    assert len(api.calls) == 1


def test_error_body_sent_with_200_is_a_refusal(client, api):
    api.post(f"{API}/projects", json={"error": "ValidationError", "message": "target_lang is invalid"})
    with pytest.raises(ProviderRejected) as error:
        client.create_project(new_project(), idempotency_key="create-1")
    assert error.value.message == "Dubformer refused the request as invalid: target_lang is invalid."


# --- Parsing what Dubformer answers ----------------------------------------------------------------------


def test_project_in_progress_says_when_it_should_finish(client, api):
    api.get(f"{API}/projects/12345", json=IN_PROGRESS)
    project = client.get_project("12345")
    assert project.status == "in_progress"
    assert not project.finished
    assert project.estimated_completion == datetime(2024, 6, 5, 12, 0, tzinfo=UTC)
    assert project.created == datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert project.cost_minutes == 10.0
    assert project.source_script == project.target_script == project.speakers == ()
    assert project.output_video_url == ""
    assert project.error_message == ""


def test_ready_project_gives_outputs_scripts_and_voices(client, api):
    api.get(f"{API}/projects/12345", json=READY)
    project = client.get_project("12345")
    assert project.finished
    assert project.completion == datetime(2024, 6, 2, 12, 0, tzinfo=UTC)
    assert project.output_video_url == "https://example.com/output_video.mp4"
    assert project.output_tts_audio_url == "https://example.com/output_tts_audio.wav"
    assert project.source_script == (ScriptLine(100, 1544, "Hello world!", 1),)
    assert project.target_script == (ScriptLine(100, 1544, "Bonjour le monde!", 1),)
    assert project.speakers == (VoiceAssignment(1, "feminine", "voice:Rachel"),)
    assert project.raw == READY


def test_ready_project_script_can_be_sent_back_as_a_retranslation(client, api):
    api.get(f"{API}/projects/12345", json=READY)
    project = client.get_project("12345")
    request = RetranslationRequest(target_script=project.target_script, target_speakers=project.speakers)
    request.validate()
    assert contract_errors("CreateRetranslationRequest", request.to_json()) == []


@pytest.mark.parametrize("field", ["error", "error_message", "message", "messege", "description"])
def test_failed_project_description_is_found_under_any_likely_field(client, api, field):
    api.get(
        f"{API}/projects/12345",
        json={**IN_PROGRESS, "status": "error", field: "Could not download the video"},
    )
    project = client.get_project("12345")
    assert project.status == "error"
    assert project.finished
    assert project.error_message == "Could not download the video"


def test_failed_project_without_description_still_says_something(client, api):
    api.get(f"{API}/projects/12345", json={**IN_PROGRESS, "status": "error", "error": ""})
    assert client.get_project("12345").error_message == "Dubformer did not say what went wrong."


def test_unknown_project_status_is_malformed(client, api):
    api.get(f"{API}/projects/12345", json={**IN_PROGRESS, "status": "queued"})
    with pytest.raises(MalformedResponse) as error:
        client.get_project("12345")
    assert "queued" in error.value.message


def test_project_script_segment_without_timings_is_malformed(client, api):
    api.get(
        f"{API}/projects/12345",
        json={**READY, "output_target_script": [{"text": "Bonjour", "speaker_id": 1}]},
    )
    with pytest.raises(MalformedResponse) as error:
        client.get_project("12345")
    assert "output_target_script segment 1" in error.value.message


def test_numeric_project_id_becomes_text(client, api):
    api.post(f"{API}/projects", json={**ACCEPTED, "project_id": 12345})
    accepted = client.create_project(new_project(), idempotency_key="create-1")
    assert accepted.project_id == "12345"


def test_accepted_job_reads_numbers_sent_as_strings(client, api):
    body = {**ACCEPTED, "cost_minutes": "10", "balance_minutes": "90.5", "translations_count": "1"}
    api.post(f"{API}/projects/12345/translations", json=body)
    accepted = client.create_retranslation("12345", retranslation(), idempotency_key="push-1")
    assert accepted.cost_minutes == 10.0
    assert accepted.balance_minutes == 90.5
    assert accepted.translations_count == 1
    assert accepted.estimated_completion == datetime(2024, 6, 5, 12, 0, tzinfo=UTC)


def test_project_script_reads_numbers_sent_as_strings(client, api):
    segment = {"start_ms": "100", "end_ms": "1544.0", "text": "Bonjour", "speaker_id": "1"}
    api.get(f"{API}/projects/12345", json={**READY, "cost_minutes": "10", "output_target_script": [segment]})
    project = client.get_project("12345")
    assert project.cost_minutes == 10.0
    assert project.target_script == (ScriptLine(100, 1544, "Bonjour", 1),)


def test_unreadable_dates_become_none(client, api):
    api.get(f"{API}/projects/12345", json={**IN_PROGRESS, "estimated_completion_date": "soon"})
    assert client.get_project("12345").estimated_completion is None


def test_accepted_job_without_project_id_is_malformed(client, api):
    api.post(f"{API}/projects", json={"cost_minutes": 10})
    with pytest.raises(MalformedResponse):
        client.create_project(new_project(), idempotency_key="create-1")


def test_balance_is_in_minutes(client, api):
    api.get(f"{API}/balance", json={"balance_minutes": 90})
    assert client.balance() == 90.0


def test_balance_without_minutes_is_malformed(client, api):
    api.get(f"{API}/balance", json={"minutes": 90})
    with pytest.raises(MalformedResponse):
        client.balance()


def test_voices_from_a_plain_list(client, api):
    api.get(
        f"{API}/voices",
        json=[
            {"key": "53f154:fr-FR-DeniseNeural", "name": "Denise", "language": "fr-FR", "style": "feminine"}
        ],
    )
    assert client.voices() == [Voice("53f154:fr-FR-DeniseNeural", "Denise", "fr-FR", "feminine")]


def test_voices_from_an_object_with_ids_and_genders(client, api):
    api.get(
        f"{API}/voices",
        json={"data": [{"id": "voice:Rachel", "language": "en-US", "gender": "female"}, {"name": "no key"}]},
    )
    assert client.voices() == [Voice("voice:Rachel", "voice:Rachel", "en-US", "feminine")]


def test_voices_for_a_target_language_are_asked_for_and_filtered(client, api):
    api.get(
        f"{API}/voices",
        json={
            "voices": [
                {"voice_key": "a:fr-FR-Denise", "name": "Denise", "language": "fr-FR", "style": "feminine"},
                {"voice_key": "b:de-DE-Katja", "name": "Katja", "language": "de-DE", "style": "feminine"},
            ]
        },
    )
    voices = client.voices(target_lang="fr-FR")
    assert [voice.key for voice in voices] == ["a:fr-FR-Denise"]
    assert api.calls[0].request.url == f"{API}/voices?target_lang=fr-FR"


def test_voices_path_is_configurable(sleeps, api):
    client = DubformerClient(BASE_URL, KEY, sleep=sleeps.append, voices_path="/api/v1/options/voices")
    api.get(f"{API}/options/voices", json={"items": ["soundalike"]})
    assert [voice.key for voice in client.voices()] == ["soundalike"]


def test_voices_in_an_unknown_shape_are_malformed(client, api):
    api.get(f"{API}/voices", json={"count": 0})
    with pytest.raises(MalformedResponse):
        client.voices()


# --- The key never leaks -----------------------------------------------------------------------------------


def test_key_echoed_in_a_refusal_is_masked(client, api):
    api.get(
        f"{API}/balance", status=401, json={"error": "UnauthorizedError", "message": f"Invalid API key {KEY}"}
    )
    with pytest.raises(ProviderRejected) as error:
        client.balance()
    assert KEY not in str(error.value)
    assert KEY not in error.value.message
    assert KEY not in json.dumps(error.value.body)
    assert "3456" in error.value.message  # the masked form keeps the last four characters


def test_key_echoed_by_a_failing_server_is_masked(client, api):
    api.get(f"{API}/balance", status=500, json={"message": f"crash while checking {KEY}"})
    with pytest.raises(ProviderUnavailable) as error:
        client.balance()
    assert KEY not in str(error.value)
    assert KEY not in json.dumps(error.value.body)


def test_key_echoed_in_a_project_is_masked_in_what_we_keep(client, api):
    api.get(f"{API}/projects/12345", json={**IN_PROGRESS, "token": KEY})
    assert KEY not in json.dumps(client.get_project("12345").raw)


def test_key_never_reaches_the_logs(client, api, caplog):
    caplog.set_level(logging.DEBUG)
    api.post(f"{API}/projects/12345/translations", body=requests.Timeout())
    api.post(f"{API}/projects/12345/translations", status=500, json={"message": KEY})
    api.post(
        f"{API}/projects/12345/translations",
        status=402,
        json={"error": "PaymentRequiredError", "message": KEY},
    )
    with pytest.raises(ProviderRejected):
        client.create_retranslation("12345", retranslation(), idempotency_key="push-1")
    assert caplog.records
    assert all(KEY not in record.getMessage() for record in caplog.records)
    assert KEY not in caplog.text
