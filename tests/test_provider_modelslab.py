"""ModelsLab's client: the bodies it sends match the published OpenAPI schema, the bodies it reads may be
any of the shapes ModelsLab is known to answer with, and its key never leaks (shared/providers.md §2)."""

import json
import logging

import pytest
import requests
import responses

from projects import languages
from projects.providers.http import (
    InvalidRequest,
    MalformedResponse,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
    RetryPolicy,
)
from projects.providers.modelslab import (
    OUTPUT_LANGS,
    SOURCE_LANGS,
    VOICE_LIST_TYPES,
    CreateDubbingRequest,
    DubbingResult,
    ModelsLabClient,
    Voice,
    parse_webhook,
)

from .schemas import MODELSLAB_SCHEMAS, modelslab_validator

KEY = "ml-secret-key-987654"
BASE = "https://modelslab.com"
CREATE_URL = f"{BASE}/api/v6/voice/create_dubbing"
VOICE_LIST_URL = f"{BASE}/api/v6/voice/voice_list"
FETCH_URL_FALLBACK = f"{BASE}/api/v6/voice/fetch/334166"
VIDEO = "https://assets.modelslab.ai/generations/61cf206f-8bbe-498d-9514-a521c2833547.mp4"
ATTEMPTS = 3

SCHEMAS = MODELSLAB_SCHEMAS

# The published examples (providers.md §2.2, §2.3, §2.5), with the elided parts filled in.
PROCESSING = {
    "status": "processing",
    "tip": "Your audio is processing in background, you can get this audio using fetch API",
    "eta": 100,
    "message": "Try to fetch request after seconds estimated",
    "fetch_result": f"{BASE}/api/v6/voice/fetch/271",
    "id": 334166,
    "output": [],
    "future_links": ["https://pub-3626.r2.dev/audio_generations/dubbed_video_5e1ddde4_spanish_dub.mp4"],
    "proxy_links": [
        "https://cdn2.stablediffusionapi.com/audio_generations/dubbed_video_5e1ddde4_spanish_dub.mp4"
    ],
    "audio_time": None,
    "meta": {
        "uuid": "5e1ddde4",
        "video_link": VIDEO,
        "source_lang": "hi",
        "output_lang": "en-us",
        "speed": "1",
        "file_prefix": "spanish_dub",
        "voice": "af_heart",
        "is_base64": False,
        "webhook": None,
        "track_id": None,
        "id": "271",
    },
}
SUCCESS = {
    "status": "success",
    "generationTime": 1.904285192489624,
    "id": 334166,
    "output": ["https://pub-3626.r2.dev/audio_generations/dubbed_video_d0c1da80_10.mp4"],
    "proxy_links": ["https://cdn2.stablediffusionapi.com/audio_generations/dubbed_video_d0c1da80_10.mp4"],
    "meta": {
        "uuid": "d0c1da80",
        "source_lang": "ru",
        "output_lang": "en-us",
        "speed": "1.2",
        "file_prefix": 10,
    },
}
FETCH_PROCESSING = {
    "status": "processing",
    "message": "try again later.",
    "output": "",
    "tip": "Get 20x faster…",
}
WEBHOOK_SUCCESS = {
    "status": "success",
    "id": "abc123-def456",
    "output": ["https://cdn.modelslab.com/abc123.mp4"],
    "generationTime": 45.2,
    "track_id": "video_001",
    "meta": {"output_lang": "fr"},
}
WEBHOOK_FAILED = {
    "status": "failed",
    "id": "abc123-def456",
    "message": "Processing failed: Invalid input dimensions",
    "track_id": "video_001",
}


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    return ModelsLabClient(BASE, KEY, sleep=sleeps.append, retry=RetryPolicy(attempts=ATTEMPTS))


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def dub(**fields):
    return CreateDubbingRequest(**{"init_video": VIDEO, "output_lang": "fr", **fields})


def sent(call):
    return json.loads(call.request.body)


def schema_errors(name, body):
    return list(modelslab_validator(name).iter_errors(body))


def full_request():
    return dub(
        source_lang="en",
        voice_id="henry",
        voice_model="kokoro",
        speed=1.2,
        file_prefix="keynote_fr",
        base64=False,
        seed=7,
        webhook="https://dubweb.example/hooks/modelslab/tok3n",
        track_id=42,
    )


# -- contract: what we send is what the schema describes ---------------------------------------------------
def test_output_langs_are_the_schema_enum():
    assert list(OUTPUT_LANGS) == SCHEMAS["CreateDubbingRequest"]["properties"]["output_lang"]["enum"]


def test_language_lists_agree_with_dubwebs_language_table():
    assert set(SOURCE_LANGS) == set(languages.MODELSLAB_SOURCE_CODES)
    assert set(OUTPUT_LANGS) == set(languages.MODELSLAB_OUTPUT_CODES)


def test_voice_list_types_are_the_schema_enum():
    assert list(VOICE_LIST_TYPES) == SCHEMAS["VoiceListRequest"]["properties"]["type"]["enum"]


def test_a_minimal_body_is_key_video_and_output_language_only():
    body = dub().to_json(KEY)
    assert body == {"key": KEY, "init_video": VIDEO, "output_lang": "fr"}
    assert schema_errors("CreateDubbingRequest", body) == []


def test_a_body_with_every_field_matches_the_schema_and_its_types():
    body = full_request().to_json(KEY)
    assert set(body) == set(SCHEMAS["CreateDubbingRequest"]["properties"])
    assert schema_errors("CreateDubbingRequest", body) == []
    assert isinstance(body["track_id"], int)
    assert isinstance(body["speed"], float)
    assert body["base64"] is False


@pytest.mark.parametrize("output_lang", OUTPUT_LANGS)
def test_every_output_language_makes_a_valid_body(output_lang):
    assert schema_errors("CreateDubbingRequest", dub(output_lang=output_lang).to_json(KEY)) == []


def test_a_whole_number_speed_is_sent_as_a_number():
    assert dub(speed=1).to_json(KEY)["speed"] == 1.0


def test_the_schema_rejects_an_output_language_outside_its_enum():
    body = {"key": KEY, "init_video": VIDEO, "output_lang": "de"}
    assert [error.validator for error in schema_errors("CreateDubbingRequest", body)] == ["enum"]


def test_the_schema_rejects_a_body_without_a_video():
    body = {"key": KEY, "output_lang": "fr"}
    assert [error.validator for error in schema_errors("CreateDubbingRequest", body)] == ["required"]


def test_fetch_sends_only_the_key(api, client):
    api.post(f"{BASE}/api/v6/voice/fetch/334166", json=SUCCESS)
    client.fetch("334166")
    assert sent(api.calls[0]) == {"key": KEY}
    assert schema_errors("FetchVoiceRequest", sent(api.calls[0])) == []


@pytest.mark.parametrize("voice_type", VOICE_LIST_TYPES)
def test_voice_list_sends_the_key_and_type(api, client, voice_type):
    api.post(VOICE_LIST_URL, json={"status": "success", "voices": []})
    client.voice_list(voice_type)
    assert sent(api.calls[0]) == {"key": KEY, "type": voice_type}
    assert schema_errors("VoiceListRequest", sent(api.calls[0])) == []


def test_the_key_goes_in_the_body_not_a_header(api, client):
    api.post(CREATE_URL, json=PROCESSING)
    client.create_dubbing(dub())
    assert "Authorization" not in api.calls[0].request.headers
    assert sent(api.calls[0])["key"] == KEY


# -- validation: a request ModelsLab would refuse never leaves ---------------------------------------------
def test_an_unknown_output_language_names_the_allowed_ones():
    with pytest.raises(InvalidRequest) as error:
        dub(output_lang="de").validate()
    assert "'de'" in str(error.value)
    assert "es, fr, hi, it, pt-br, en-us, en-gb, ja, zh" in str(error.value)


@pytest.mark.parametrize("video", ["ftp://files.example/v.mp4", "not a url", "", "/media/v.mp4", None])
def test_the_video_must_be_an_http_url(video):
    with pytest.raises(InvalidRequest, match=r"video to dub must be an http:// or https:// URL"):
        dub(init_video=video).validate()


def test_a_base64_video_need_not_be_a_url():
    body = dub(init_video="AAAAIGZ0eXBpc29t", base64=True).to_json(KEY)
    assert body["base64"] is True


@pytest.mark.parametrize("speed", [0, -1, "fast", True])
def test_the_speed_must_be_a_positive_number(speed):
    with pytest.raises(InvalidRequest, match=r"speed must be a number above 0"):
        dub(speed=speed).validate()


@pytest.mark.parametrize("speed", [0.2, 1, 3])
def test_any_positive_speed_is_sent_as_a_number(speed):
    # ModelsLab's schema gives no range; the dashboard's form is what keeps people to 0.5–2.
    assert dub(speed=speed).to_json(KEY)["speed"] == float(speed)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"source_lang": "xx"}, "does not take 'xx' as a source language"),
        ({"seed": -1}, "seed must be a whole number"),
        ({"seed": 1.5}, "seed must be a whole number"),
        ({"webhook": "mailto:ops@dubweb.example"}, "webhook must be an http:// or https:// URL"),
        ({"track_id": "video_001"}, "track_id must be a whole number"),
        ({"voice_id": ""}, "voice_id must be non-empty text"),
        ({"base64": "yes"}, "base64 must be true or false"),
    ],
)
def test_each_bad_field_is_named(fields, problem):
    with pytest.raises(InvalidRequest, match=problem):
        dub(**fields).validate()


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidRequest) as error:
        dub(init_video="nope", output_lang="de", speed=-1).validate()
    assert len(error.value.problems) == 3


def test_an_invalid_request_is_not_sent(api, client):
    with pytest.raises(InvalidRequest):
        client.create_dubbing(dub(output_lang="de"))
    assert len(api.calls) == 0


# -- the happy path: create, then fetch until done ---------------------------------------------------------
def test_create_returns_a_processing_dub_with_its_eta_and_fetch_url(api, client):
    api.post(CREATE_URL, json=PROCESSING)
    result = client.create_dubbing(dub(output_lang="en-us"))
    assert result.status == "processing"
    assert result.id == "334166"
    assert result.fetch_url == f"{BASE}/api/v6/voice/fetch/271"
    assert result.eta_s == 100
    assert result.output_urls == ()
    assert result.future_urls == (PROCESSING["future_links"][0], PROCESSING["proxy_links"][0])


def test_create_can_finish_at_once(api, client):
    api.post(CREATE_URL, json=SUCCESS)
    result = client.create_dubbing(dub())
    assert result.status == "success"
    assert result.output_urls == (SUCCESS["output"][0], SUCCESS["proxy_links"][0])


def test_fetch_polls_the_fetch_result_url_even_when_its_id_differs(api, client):
    processing = DubbingResult.from_body(PROCESSING)
    api.post(f"{BASE}/api/v6/voice/fetch/271", json=SUCCESS)
    result = client.fetch(processing)
    assert [call.request.url for call in api.calls] == [f"{BASE}/api/v6/voice/fetch/271"]
    assert sent(api.calls[0]) == {"key": KEY}
    assert result.status == "success"
    assert result.output_urls[0] == SUCCESS["output"][0]


def test_fetch_falls_back_to_the_id_when_the_fetch_url_is_not_found(api, client):
    api.post(f"{BASE}/api/v6/voice/fetch/271", status=404, json={"status": "error", "message": "Not found"})
    api.post(f"{BASE}/api/v6/voice/fetch/334166", json=SUCCESS)
    result = client.fetch(DubbingResult.from_body(PROCESSING))
    assert [call.request.url.rsplit("/", 1)[-1] for call in api.calls] == ["271", "334166"]
    assert result.status == "success"


def test_fetch_falls_back_to_the_id_when_a_200_says_request_not_found(api, client):
    api.post(f"{BASE}/api/v6/voice/fetch/271", json={"status": "error", "message": "Request not found"})
    api.post(f"{BASE}/api/v6/voice/fetch/334166", json=SUCCESS)
    assert client.fetch(DubbingResult.from_body(PROCESSING)).status == "success"


def test_fetch_without_a_fetch_url_asks_by_id(api, client):
    api.post(f"{BASE}/api/v6/voice/fetch/334166", json=SUCCESS)
    assert client.fetch(334166).status == "success"


def test_fetch_reads_an_empty_string_output_while_processing(api, client):
    api.post(f"{BASE}/api/v6/voice/fetch/271", json=FETCH_PROCESSING)
    result = client.fetch(DubbingResult.from_body(PROCESSING))
    assert result.status == "processing"
    assert result.output_urls == ()
    assert result.id == "334166"  # the fetch answer has no id: the dub keeps its own
    assert result.fetch_url == f"{BASE}/api/v6/voice/fetch/271"


def test_fetch_never_sends_the_key_to_another_host(api, client):
    stray = DubbingResult.from_body(
        {**PROCESSING, "fetch_result": "https://evil.example/api/v6/voice/fetch/271"}
    )
    api.post(f"{BASE}/api/v6/voice/fetch/271", json=SUCCESS)
    assert client.fetch(stray).status == "success"
    assert [call.request.url for call in api.calls] == [f"{BASE}/api/v6/voice/fetch/271"]


def test_a_fetched_failure_is_a_failed_result_not_an_exception(api, client):
    api.post(f"{BASE}/api/v6/voice/fetch/334166", json={"status": "failed", "message": "Video has no speech"})
    result = client.fetch("334166")
    assert result.status == "failed"
    assert result.message == "Video has no speech"
    assert result.finished


def test_a_fetched_error_with_the_legacy_spelling_is_failed_too(api, client):
    api.post(f"{BASE}/api/v6/voice/fetch/334166", json={"status": "error", "messege": "Video too long"})
    result = client.fetch("334166")
    assert (result.status, result.message) == ("failed", "Video too long")


def test_a_failure_that_says_try_again_is_still_processing(api, client):
    api.post(
        f"{BASE}/api/v6/voice/fetch/334166", json={"status": "failed", "message": "Server busy, try again."}
    )
    result = client.fetch("334166")
    assert result.status == "processing"
    assert not result.finished


def test_a_success_with_only_future_links_takes_its_files_from_them(api, client):
    future = "https://pub.example.r2.dev/audio_generations/dubbed_video_1_spanish_dub.mp4"
    api.post(
        f"{BASE}/api/v6/voice/fetch/334166",
        json={"status": "success", "output": [], "future_links": [future]},
    )
    assert client.fetch("334166").output_urls == (future,)


def test_the_sandbox_base_url_keeps_its_path(api, sleeps):
    sandbox = ModelsLabClient("http://127.0.0.1:8000/sandbox/modelslab/", KEY, sleep=sleeps.append)
    api.post("http://127.0.0.1:8000/sandbox/modelslab/api/v6/voice/create_dubbing", json=PROCESSING)
    assert sandbox.create_dubbing(dub()).status == "processing"


# -- errors ------------------------------------------------------------------------------------------------
def test_a_200_error_on_create_is_a_rejection_with_the_providers_words(api, client):
    api.post(CREATE_URL, json={"status": "error", "messege": "init_video could not be downloaded"})
    with pytest.raises(ProviderRejected, match="init_video could not be downloaded") as error:
        client.create_dubbing(dub())
    assert error.value.status == 200
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "Invalid API key"),
        (402, "Insufficient credits. Please add more credits to continue."),
        (403, "This feature requires a premium subscription"),
    ],
)
def test_account_errors_are_not_retried(api, client, sleeps, status, message):
    api.post(CREATE_URL, status=status, json={"status": "error", "message": message})
    with pytest.raises(ProviderRejected, match=message):
        client.create_dubbing(dub())
    assert len(api.calls) == 1
    assert sleeps == []


def test_a_full_queue_waits_what_modelslab_asks_then_retries(api, client, sleeps):
    busy = {
        "status": "error",
        "message": "Rate limit exceeded. Maximum 5 queued requests allowed.",
        "retry_after": 30,
    }
    api.post(CREATE_URL, status=429, json=busy)
    api.post(CREATE_URL, json=PROCESSING)
    assert client.create_dubbing(dub()).status == "processing"
    assert sleeps == [30]


def test_a_full_queue_said_in_a_200_is_a_rate_limit_too(api, client, sleeps):
    api.post(CREATE_URL, json={"status": "error", "message": "Queue is full, try later", "retry_after": 12})
    api.post(CREATE_URL, json=PROCESSING)
    assert client.create_dubbing(dub()).status == "processing"
    assert sleeps == [12]


def test_a_queue_that_stays_full_ends_in_rate_limited(api, client):
    api.post(CREATE_URL, json={"status": "error", "message": "Rate limit exceeded", "retry_after": 5})
    with pytest.raises(RateLimited) as error:
        client.create_dubbing(dub())
    assert error.value.retry_after_s == 5
    assert len(api.calls) == ATTEMPTS


def test_a_429_that_is_not_json_is_retried(api, client, sleeps):
    api.post(CREATE_URL, status=429, body="<html>Too many requests</html>")
    api.post(CREATE_URL, json=PROCESSING)
    assert client.create_dubbing(dub()).status == "processing"
    assert len(sleeps) == 1


def test_server_errors_on_a_fetch_give_up_after_the_configured_attempts(api, client, sleeps):
    api.post(
        FETCH_URL_FALLBACK,
        status=500,
        json={"status": "error", "message": "Internal server error. Please try again."},
    )
    with pytest.raises(ProviderUnavailable, match=r"ModelsLab had an error \(500\)"):
        client.fetch("334166")
    assert len(api.calls) == ATTEMPTS
    assert len(sleeps) == ATTEMPTS - 1


def test_a_create_that_may_have_arrived_is_not_sent_twice(api, client, sleeps):
    # No idempotency key at ModelsLab: after a 500 or a read timeout the dub may exist already.
    api.post(
        CREATE_URL,
        status=500,
        json={"status": "error", "message": "Internal server error. Please try again."},
    )
    with pytest.raises(ProviderUnavailable):
        client.create_dubbing(dub())
    api.replace(responses.POST, CREATE_URL, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(ProviderUnavailable, match="did not answer in time"):
        client.create_dubbing(dub())
    assert len(api.calls) == 2 and sleeps == []


def test_a_create_that_could_not_connect_is_retried(api, client, sleeps):
    api.post(CREATE_URL, body=requests.ConnectionError("connection refused"))
    api.post(CREATE_URL, json=PROCESSING)
    assert client.create_dubbing(dub()).status == "processing"
    assert len(api.calls) == 2 and len(sleeps) == 1


def test_a_503_that_is_not_json_is_unavailable(api, client):
    api.post(VOICE_LIST_URL, status=503, body="Service Unavailable")
    with pytest.raises(ProviderUnavailable, match=r"\(503\): Service Unavailable"):
        client.voice_list()


def test_a_fetch_that_times_out_is_retried(api, client, sleeps):
    api.post(FETCH_URL_FALLBACK, body=requests.ReadTimeout("read timed out"))
    api.post(FETCH_URL_FALLBACK, json={"status": "processing", "output": ""})
    assert client.fetch("334166").status == "processing"
    assert len(api.calls) == 2
    assert len(sleeps) == 1


def test_a_200_that_is_not_json_is_malformed(api, client):
    api.post(CREATE_URL, body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(MalformedResponse):
        client.create_dubbing(dub())


def test_a_body_without_a_known_status_is_malformed(api, client):
    api.post(CREATE_URL, json={"id": 334166, "output": []})
    with pytest.raises(MalformedResponse, match="without a status we know"):
        client.create_dubbing(dub())


# -- webhook -----------------------------------------------------------------------------------------------
def test_a_success_webhook_reads_as_a_finished_dub():
    result = parse_webhook(WEBHOOK_SUCCESS)
    assert result.status == "success"
    assert result.id == "abc123-def456"
    assert result.track_id == "video_001"
    assert result.output_urls == ("https://cdn.modelslab.com/abc123.mp4",)


def test_a_failed_webhook_reads_as_a_failed_dub():
    result = parse_webhook(WEBHOOK_FAILED)
    assert (result.status, result.id, result.track_id) == ("failed", "abc123-def456", "video_001")
    assert result.message == "Processing failed: Invalid input dimensions"


def test_numeric_ids_are_read_as_text():
    result = parse_webhook({**WEBHOOK_SUCCESS, "id": 334166, "track_id": 42})
    assert (result.id, result.track_id) == ("334166", "42")


def test_a_webhook_without_status_is_malformed():
    with pytest.raises(MalformedResponse):
        parse_webhook({"id": "abc123-def456"})


# -- voices ------------------------------------------------------------------------------------------------
def test_voice_list_reads_the_accounts_voices(api, client):
    voices = [
        {"voice_id": "actor", "name": "Actor", "language": "english"},
        {"voice_id": "tom_hank", "name": "Tom Hank", "language": "english"},
    ]
    api.post(VOICE_LIST_URL, json={"status": "success", "voices": voices})
    assert client.voice_list() == [
        Voice("actor", "Actor", "english"),
        Voice("tom_hank", "Tom Hank", "english"),
    ]


def test_an_unknown_voice_list_type_is_not_sent(api, client):
    with pytest.raises(InvalidRequest, match="manual, trained, voice_cover"):
        client.voice_list("celebrity")
    assert len(api.calls) == 0


def test_a_voice_list_error_is_a_rejection(api, client):
    api.post(VOICE_LIST_URL, json={"status": "error", "message": "Invalid API key"})
    with pytest.raises(ProviderRejected, match="Invalid API key"):
        client.voice_list()


# -- the key never leaks -----------------------------------------------------------------------------------
def test_the_key_is_masked_in_errors_even_when_modelslab_echoes_it(api, client):
    api.post(
        CREATE_URL, status=401, json={"status": "error", "message": f"Invalid API key {KEY}", "key": KEY}
    )
    with pytest.raises(ProviderRejected) as error:
        client.create_dubbing(dub())
    assert KEY not in str(error.value)
    assert KEY not in error.value.message
    assert KEY not in json.dumps(error.value.body)


def test_the_key_is_masked_in_a_200_rejection(api, client):
    api.post(CREATE_URL, json={"status": "error", "messege": f"bad key {KEY}", "meta": {"key": KEY}})
    with pytest.raises(ProviderRejected) as error:
        client.create_dubbing(dub())
    assert KEY not in str(error.value)
    assert KEY not in json.dumps(error.value.body)


def test_the_key_is_masked_in_a_results_raw_body(api, client):
    api.post(CREATE_URL, json={**PROCESSING, "meta": {**PROCESSING["meta"], "key": KEY}})
    result = client.create_dubbing(dub())
    assert KEY not in json.dumps(result.raw)
    assert KEY not in json.dumps(result.meta)


def test_the_key_is_never_logged(api, client, caplog):
    caplog.set_level(logging.DEBUG, logger="dubweb.providers")
    api.post(
        CREATE_URL, status=429, json={"status": "error", "message": "Rate limit exceeded", "retry_after": 1}
    )
    api.post(CREATE_URL, body=requests.ConnectTimeout())
    api.post(CREATE_URL, json=PROCESSING)
    api.post(f"{BASE}/api/v6/voice/fetch/271", status=404, json={"status": "error", "message": "Not found"})
    api.post(f"{BASE}/api/v6/voice/fetch/334166", json=SUCCESS)
    client.fetch(client.create_dubbing(dub()))
    assert caplog.records
    assert all(KEY not in record.getMessage() for record in caplog.records)


def test_an_html_error_page_is_not_pasted_into_the_message(api, client):
    api.post(FETCH_URL_FALLBACK, status=404, content_type="text/html",
             body="<!DOCTYPE html><html><head><title>OperationalError at /voice</title></head></html>")  # fmt: skip
    with pytest.raises(ProviderRejected) as error:
        client.fetch("334166")
    assert error.value.message == "ModelsLab does not know this item."
    assert "<" not in error.value.message


def test_a_client_used_as_a_context_manager_closes_its_connections():
    with ModelsLabClient(BASE, KEY) as used:
        adapter = used.session.get_adapter(BASE)
        adapter.poolmanager.connection_from_url(BASE)  # a pooled connection, as after a call
        assert len(adapter.poolmanager.pools) == 1
    assert len(adapter.poolmanager.pools) == 0  # closed: no idle keep-alive left holding a server thread
