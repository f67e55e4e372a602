"""The sandbox's HTTP endpoints: fake Dubformer Platform and ModelsLab v6 voice APIs, outputs and control.

Each view reproduces the contract gathered in /work/shared/providers.md (sections cited per view). All are
JSON, CSRF-exempt, and answer 404 unless settings.PROVIDER_SANDBOX is on.
"""

import json
import math
import re
import secrets
import uuid
from datetime import UTC, timedelta
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from dubweb.http_ranges import ranged_file_response

from . import catalog, media
from .failures import (
    MARKER_WEBHOOK_TWICE,
    dubformer_error,
    error_marker,
    marker_failure,
    modelslab_error,
    planned_failure,
    planned_stale_answer,
)
from .models import (
    Balance,
    DubformerProject,
    FailurePlan,
    IdempotencyRecord,
    ModelsLabJob,
    Provider,
    balance_for,
)

DUBFORMER_ENDPOINTS = ["create_project", "get_project", "create_translation", "balance", "voices"]
MODELSLAB_ENDPOINTS = ["create_dubbing", "fetch", "voice_list"]
DUBFORMER_FAIL_MESSAGE = "Video processing failed: no speech could be detected in the source video."
MODELSLAB_FAIL_MESSAGE = "Processing failed: the source audio could not be transcribed."


# ---------------------------------------------------------------------------------------------------------
# Shared plumbing


def sandbox_view(methods, provider=None, endpoint=None):
    """CSRF-exempt JSON view, 404 when the sandbox is off, 405 for other methods, then planned failures."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not getattr(settings, "PROVIDER_SANDBOX", False):
                raise Http404("The provider sandbox is off.")
            if request.method not in methods:
                response = (
                    modelslab_error(405, "Method not allowed")
                    if provider == Provider.MODELSLAB
                    else dubformer_error(405, "MethodNotAllowed", "Method not allowed")
                )
                response["Allow"] = ", ".join(methods)
                return response
            if provider:
                failure = planned_failure(provider, endpoint)
                if failure is not None:
                    return failure
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def parse_json(request):
    """The JSON object in the body, or None when the body is not one."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def iso(moment):
    """ISO-8601 in UTC with a Z, as the Dubformer examples show (providers.md 1.1)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ready_after():
    return timedelta(seconds=float(getattr(settings, "SANDBOX_READY_AFTER_S", 3)))


def site_base(request):
    return request.build_absolute_uri("/").rstrip("/")


def output_url(base_url, name):
    return base_url + reverse("sandbox:output", args=[name])


def is_own_webhook(url):
    """Whether `url` is dubweb's own ModelsLab webhook endpoint (same origin as SITE_URL).

    The sandbox is open to anyone who knows its well-known key, so a webhook it would POST to anywhere
    else would let strangers make this server call any address: such a webhook is refused."""
    if not is_url(url):
        return False
    site, parts = urlsplit(settings.SITE_URL), urlsplit(url)
    if (parts.scheme.lower(), parts.netloc.lower()) != (site.scheme.lower(), site.netloc.lower()):
        return False
    if parts.username or parts.password or parts.query or parts.fragment:
        return False
    prefix = site.path.rstrip("/")
    if not parts.path.startswith(prefix + "/"):
        return False
    try:
        match = resolve(parts.path[len(prefix) :])
    except Resolver404:
        return False
    return match.view_name == "projects:modelslab-webhook"


def is_url(value):
    """An absolute http(s) URL (`format: uri` in both contracts)."""
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError on a malformed host or port)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def is_number(value):
    """A JSON number, finite (Python's json reads Infinity and NaN, which no provider sends)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def unique_number(model, field, low, high):
    """A random integer in [low, high) not yet used in model.field."""
    while True:
        value = low + secrets.randbelow(high - low)
        if not model.objects.filter(**{field: value}).exists():
            return value


# ---------------------------------------------------------------------------------------------------------
# Dubformer Platform API (providers.md section 1)


def dubformer_key(request):
    """The Bearer key when it is one the sandbox knows (providers.md 1.1), else None."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    known = {settings.DUBFORMER_API_KEY, *getattr(settings, "SANDBOX_DUBFORMER_KEYS", [])} - {""}
    return key.strip() if scheme.lower() == "bearer" and key.strip() in known else None


def unauthorized():
    return dubformer_error(401, "UnauthorizedError", "Invalid API key")


def validation_error(message):
    return dubformer_error(400, "ValidationError", message)


def idempotent_replay(request, api_key, scope):
    """The answer stored for this Idempotency-Key (providers.md 1.1), or None."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    record = IdempotencyRecord.objects.filter(api_key=api_key, scope=scope, key=key).first()
    return JsonResponse(record.response) if record else None


def remember_answer(request, api_key, scope, answer):
    key = request.headers.get("Idempotency-Key", "").strip()
    if key:
        IdempotencyRecord.objects.create(api_key=api_key, scope=scope, key=key, response=answer)


def validate_create_project(body):
    """The first problem with a create-project body (providers.md 1.3), naming the field; None if fine."""
    for field in ["source_lang", "target_lang", "source_video_url"]:
        if body.get(field) in (None, ""):
            return f"{field} is required"
    if not isinstance(body["source_lang"], str) or not re.fullmatch(r"[a-z]{2,3}", body["source_lang"]):
        return "source_lang must be a language code without locale, e.g. en"
    if not isinstance(body["target_lang"], str) or not re.fullmatch(
        r"[a-z]{2,3}-[A-Z]{2}", body["target_lang"]
    ):
        return "target_lang must be a language code with locale, e.g. fr-FR"
    if not is_url(body["source_video_url"]):
        return "source_video_url must be a URL"
    if "name" in body and not isinstance(body["name"], str):
        return "name must be a string"
    if body.get("mixing_mode", catalog.DUBFORMER_MIXING_MODES[1]) not in catalog.DUBFORMER_MIXING_MODES:
        return f"mixing_mode must be one of {', '.join(catalog.DUBFORMER_MIXING_MODES)}"
    for field in ["use_emotional_transfer", "use_soundalike_voices"]:
        if field in body and not isinstance(body[field], bool):
            return f"{field} must be a boolean"
    for field in ["source_script_content", "glossary_content"]:
        if field in body and not isinstance(body[field], str):
            return f"{field} must be a string"
    if body.get("use_emotional_transfer") and body["target_lang"][:2] not in catalog.EMOTIONAL_TRANSFER_LANGS:
        return "use_emotional_transfer is only available for English, Spanish, French, German, Italian and Portuguese"
    return None


def validate_retranslation(body):
    """The first problem with a re-translation body (providers.md 1.5), naming the field; None if fine."""
    script, speakers = body.get("target_script"), body.get("target_speakers")
    if not isinstance(script, list) or not script:
        return "target_script is required and must be a non-empty array"
    if not isinstance(speakers, list) or not speakers:
        return "target_speakers is required and must be a non-empty array"
    for index, speaker in enumerate(speakers):
        where = f"target_speakers[{index}]"
        if not isinstance(speaker, dict) or not is_number(speaker.get("speaker_id")):
            return f"{where}.speaker_id is required and must be a number"
        if speaker.get("style") not in catalog.DUBFORMER_STYLES:
            return f"{where}.style must be masculine or feminine"
        if not isinstance(speaker.get("voice_key"), str) or not speaker["voice_key"]:
            return f"{where}.voice_key is required"
    known = {speaker["speaker_id"] for speaker in speakers}
    for index, segment in enumerate(script):
        where = f"target_script[{index}]"
        if not isinstance(segment, dict):
            return f"{where} must be an object"
        for field in ["start_ms", "end_ms", "speaker_id"]:
            if not is_number(segment.get(field)):
                return f"{where}.{field} is required and must be a number"
        if not isinstance(segment.get("text"), str):
            return f"{where}.text is required and must be a string"
        if segment["start_ms"] < 0 or segment["start_ms"] >= segment["end_ms"]:
            return f"{where}: start_ms must be at least 0 and less than end_ms"
        if segment["speaker_id"] not in known:
            return f"{where}.speaker_id {segment['speaker_id']} is not in target_speakers"
    if body.get("mixing_mode", catalog.DUBFORMER_MIXING_MODES[1]) not in catalog.DUBFORMER_MIXING_MODES:
        return f"mixing_mode must be one of {', '.join(catalog.DUBFORMER_MIXING_MODES)}"
    if "use_fixed_timings" in body and not isinstance(body["use_fixed_timings"], bool):
        return "use_fixed_timings must be a boolean"
    if body.get("tts_volume", "normal") not in catalog.DUBFORMER_TTS_VOLUMES:
        return f"tts_volume must be one of {', '.join(catalog.DUBFORMER_TTS_VOLUMES)}"
    return None


def dubformer_output_names(project):
    """Names of the outputs of the project's current translation: video (MP4 or WAV stand-in), TTS WAV."""
    stem = f"dubformer_{project.project_id}_v{project.translations_count}"
    audio = f"{stem}_tts.wav"
    return (f"{stem}.mp4" if media.can_mux(project.source_video_url) else audio), audio


def job_accepted(project, cost_minutes):
    """The create / re-translation answer (providers.md 1.3, 1.5)."""
    return {
        "project_id": project.project_id,
        "cost_minutes": cost_minutes,
        "estimated_completion_date": iso(project.ready_at),
        "balance_minutes": balance_for(Provider.DUBFORMER, project.api_key).minutes,
        "translations_count": project.translations_count,
    }


def project_body(project):
    """Get Project: common fields, plus what the status adds (providers.md 1.4). project_id is not echoed."""
    body = {
        "name": project.name,
        "source_lang": project.source_lang,
        "target_lang": project.target_lang,
        "mixing_mode": project.mixing_mode,
        "cost_minutes": project.cost_minutes,
        "created_date": iso(project.created),
        "status": project.status,
    }
    if project.status == DubformerProject.Status.IN_PROGRESS:
        body["estimated_completion_date"] = iso(project.ready_at)
    elif project.status == DubformerProject.Status.READY:
        body.update(
            completion_date=iso(project.completed),
            output_video_url=output_url(project.base_url, project.output_video_name),
            output_tts_audio_url=output_url(project.base_url, project.output_audio_name),
            output_source_script=project.source_script,
            output_target_script=project.target_script,
            output_target_speakers=project.target_speakers,
        )
    else:
        # The field's name is cut off in the published page (providers.md 1.4); the sandbox says error_message.
        body["error_message"] = project.error_message
    return body


@sandbox_view(["POST"], Provider.DUBFORMER, "create_project")
def dubformer_create_project(request):
    """POST /api/v1/projects (providers.md 1.3): charge the source minutes, answer JobAccepted.

    401 without a known Bearer key, 400 ValidationError naming the field, 402 PaymentRequiredError when the
    balance is short; a repeated Idempotency-Key returns the first answer and creates nothing.
    """
    api_key = dubformer_key(request)
    if api_key is None:
        return unauthorized()
    body = parse_json(request)
    if body is None:
        return validation_error("Malformed JSON body: expected a JSON object")
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    failure = marker_failure(Provider.DUBFORMER, "create_project", name)
    if failure is not None:
        return failure
    replay = idempotent_replay(request, api_key, "create_project")
    if replay is not None:
        return replay
    problem = validate_create_project(body)
    if problem:
        return validation_error(problem)
    duration = media.source_duration_s(body["source_video_url"])
    try:
        answer = charge_and_create(request, api_key, body, duration)
    except InsufficientBalance:
        return dubformer_error(402, "PaymentRequiredError", "Insufficient balance for this project")
    except IntegrityError:  # a concurrent twin with the same Idempotency-Key got there first
        return idempotent_replay(request, api_key, "create_project") or validation_error(
            "Idempotency-Key in use"
        )
    return JsonResponse(answer)


class InsufficientBalance(Exception):
    pass


@transaction.atomic
def charge_and_create(request, api_key, body, duration):
    """Charge the source minutes (providers.md 1.6), create the project, remember the answer."""
    cost = max(1, math.ceil(duration / 60))
    balance = Balance.objects.select_for_update().get(pk=balance_for(Provider.DUBFORMER, api_key).pk)
    if balance.minutes < cost:
        raise InsufficientBalance
    balance.minutes -= cost
    balance.save(update_fields=["minutes"])
    project = create_project_row(request, api_key, body, duration, cost)
    answer = job_accepted(project, cost)
    remember_answer(request, api_key, "create_project", answer)
    return answer


def create_project_row(request, api_key, body, duration, cost):
    """A new in_progress project with generated scripts, ready SANDBOX_READY_AFTER_S from now."""
    now = timezone.now()
    source, target, speakers = catalog.generated_scripts(duration, body["target_lang"])
    options = {k: body[k] for k in ["use_emotional_transfer", "use_soundalike_voices"] if k in body}
    project = DubformerProject(
        project_id=str(unique_number(DubformerProject, "project_id", 10000, 100000000)),
        api_key=api_key,
        base_url=site_base(request),
        name=body.get("name", ""),
        source_lang=body["source_lang"],
        target_lang=body["target_lang"],
        mixing_mode=body.get("mixing_mode", catalog.DUBFORMER_MIXING_MODES[1]),
        source_video_url=body["source_video_url"],
        options=options,
        duration_s=duration,
        created=now,
        ready_at=now + ready_after(),
        cost_minutes=cost,
        source_script=source,
        target_script=target,
        target_speakers=speakers,
        fail_message=DUBFORMER_FAIL_MESSAGE if error_marker(body.get("name")) else "",
    )
    project.output_video_name, project.output_audio_name = dubformer_output_names(project)
    project.save()
    return project


def find_project(api_key, project_id):
    project = DubformerProject.objects.filter(api_key=api_key, project_id=project_id).first()
    if project is not None:
        project.advance()
    return project


def not_found(project_id):
    return dubformer_error(404, "NotFoundError", f"Project {project_id} not found")


@sandbox_view(["GET"], Provider.DUBFORMER, "get_project")
def dubformer_get_project(request, project_id):
    """GET /api/v1/projects/{id} (providers.md 1.4): in_progress until ready_at, then ready or error."""
    api_key = dubformer_key(request)
    if api_key is None:
        return unauthorized()
    project = find_project(api_key, project_id)
    if project is None:
        return not_found(project_id)
    if project.previous_ready and project.status != DubformerProject.Status.ERROR and planned_stale_answer():
        return JsonResponse(project.previous_ready)
    return JsonResponse(project_body(project))


@sandbox_view(["POST"], Provider.DUBFORMER, "create_translation")
def dubformer_create_translation(request, project_id):
    """POST /api/v1/projects/{id}/translations (providers.md 1.5, seed page).

    Validates the script against its speakers and the enums, then puts the project back in progress; once
    ready it reports exactly the posted target_script and target_speakers. cost_minutes 0; idempotent.
    """
    api_key = dubformer_key(request)
    if api_key is None:
        return unauthorized()
    project = find_project(api_key, project_id)
    if project is None:
        return not_found(project_id)
    body = parse_json(request)
    if body is None:
        return validation_error("Malformed JSON body: expected a JSON object")
    scope = f"create_translation:{project.project_id}"
    replay = idempotent_replay(request, api_key, scope)
    if replay is not None:
        return replay
    problem = validate_retranslation(body)
    if problem:
        return validation_error(problem)
    if project.status == DubformerProject.Status.ERROR:
        return validation_error(f"project {project.project_id} ended in error and cannot be re-translated")
    with transaction.atomic():
        apply_retranslation(project, body)
        answer = job_accepted(project, 0)
        remember_answer(request, api_key, scope, answer)
    return JsonResponse(answer)


def apply_retranslation(project, body):
    now = timezone.now()
    if project.status == DubformerProject.Status.READY:
        project.previous_ready = project_body(project)
    project.target_script = body["target_script"]
    project.target_speakers = body["target_speakers"]
    project.mixing_mode = body.get("mixing_mode", project.mixing_mode)
    project.options = {
        **project.options,
        "use_fixed_timings": body.get("use_fixed_timings", False),
        "tts_volume": body.get("tts_volume", "normal"),
    }
    project.status = DubformerProject.Status.IN_PROGRESS
    project.ready_at = now + ready_after()
    project.completed = None
    project.fail_message = ""
    project.translations_count += 1
    project.output_video_name, project.output_audio_name = dubformer_output_names(project)
    project.save()


@sandbox_view(["GET"], Provider.DUBFORMER, "balance")
def dubformer_balance(request):
    """GET /api/v1/balance (providers.md 1.6): `{"balance_minutes": n}`."""
    api_key = dubformer_key(request)
    if api_key is None:
        return unauthorized()
    return JsonResponse({"balance_minutes": balance_for(Provider.DUBFORMER, api_key).minutes})


@sandbox_view(["GET"], Provider.DUBFORMER, "voices")
def dubformer_voices(request):
    """GET /api/v1/voices (providers.md 1.7, shape not published): `{"voices": [...]}`, ?target_lang= filters."""
    if dubformer_key(request) is None:
        return unauthorized()
    language = request.GET.get("target_lang", "")
    voices = [v for v in catalog.DUBFORMER_VOICES if not language or v["language"].startswith(language)]
    return JsonResponse({"voices": voices})


# ---------------------------------------------------------------------------------------------------------
# ModelsLab v6 voice API (providers.md section 2)


def modelslab_key_ok(body):
    """The key travels in the JSON body (providers.md 2.1)."""
    known = {settings.MODELSLAB_API_KEY, *getattr(settings, "SANDBOX_MODELSLAB_KEYS", [])} - {""}
    return isinstance(body.get("key"), str) and body["key"] in known


def modelslab_body(request):
    """(body, None) or (None, error response): malformed JSON → 400, unknown key → 401 (providers.md 2.6)."""
    body = parse_json(request)
    if body is None:
        return None, modelslab_error(400, "Malformed JSON body")
    if not modelslab_key_ok(body):
        return None, modelslab_error(401, "Invalid API key")
    return body, None


def validate_dubbing(body):
    """The first problem with a create_dubbing body (CreateDubbingRequest, providers.md 2.2); None if fine."""
    if body.get("init_video") in (None, ""):
        return "init_video is required"
    if not isinstance(body["init_video"], str) or not (body.get("base64") or is_url(body["init_video"])):
        return "init_video must be a URL"
    if body.get("output_lang") in (None, ""):
        return "output_lang is required"
    if body["output_lang"] not in catalog.MODELSLAB_OUTPUT_LANGS:
        return f"output_lang must be one of {', '.join(catalog.MODELSLAB_OUTPUT_LANGS)}"
    if body.get("source_lang", "hi") not in catalog.MODELSLAB_SOURCE_LANGS:
        return "source_lang is not a supported language"
    if "speed" in body and not (is_number(body["speed"]) and body["speed"] > 0):
        return "speed must be a positive number"
    if "base64" in body and not isinstance(body["base64"], bool):
        return "base64 must be a boolean"
    if body.get("webhook") is not None and not is_url(body["webhook"]):
        return "webhook must be a URL"
    if body.get("webhook") and not is_own_webhook(body["webhook"]):
        return "webhook must be dubweb's own ModelsLab webhook URL (the sandbox calls nothing else)"
    for field in ["track_id", "seed"]:
        value = body.get(field)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63
        ):
            return f"{field} must be an integer"
    for field in ["voice_id", "voice_model"]:
        if body.get(field) is not None and not isinstance(body[field], str):
            return f"{field} must be a string"
    # An older page of the docs allowed a number here (providers.md 2.2).
    if body.get("file_prefix") is not None and not isinstance(body["file_prefix"], str | int):
        return "file_prefix must be a string"
    return None


def dubbing_meta(body, job_uuid, fetch_id):
    """The `meta` echo: request parameters as strings, as in the published example (providers.md 2.2)."""
    speed = body.get("speed", 1.0)
    return {
        "uuid": job_uuid,
        "video_link": body["init_video"],
        "source_lang": body.get("source_lang", "hi"),
        "output_lang": body["output_lang"],
        "speed": f"{speed:g}",
        "file_prefix": str(body.get("file_prefix", "spanish_dub")),
        "voice": str(body.get("voice_id") or "af_heart"),
        "voice_model": str(body.get("voice_model", "kokoro")),
        "is_base64": bool(body.get("base64", False)),
        "webhook": body.get("webhook"),
        "track_id": body.get("track_id"),
        "id": str(fetch_id),
    }


def modelslab_output_name(job_uuid, body):
    prefix = (
        re.sub(r"[^A-Za-z0-9_-]+", "-", str(body.get("file_prefix", "spanish_dub"))).strip("-")[:40] or "dub"
    )
    if media.can_mux(body["init_video"]) and not body.get("base64"):
        return f"dubbed_video_{job_uuid}_{prefix}.mp4"
    return f"dubbed_audio_{job_uuid}_{prefix}.wav"


def webhook_duplicate(prefix):
    rate = float(getattr(settings, "SANDBOX_WEBHOOK_DUPLICATE_RATE", 0.2))
    return MARKER_WEBHOOK_TWICE in prefix or secrets.randbelow(1000) < rate * 1000


def create_job_row(request, body):
    """A new processing job, ready SANDBOX_READY_AFTER_S from now; job id and fetch id differ."""
    now = timezone.now()
    prefix = str(body.get("file_prefix", ""))
    job_uuid = str(uuid.uuid4())
    fetch_id = unique_number(ModelsLabJob, "fetch_id", 100, 100000)
    source = "" if body.get("base64") else body["init_video"]
    return ModelsLabJob.objects.create(
        job_id=unique_number(ModelsLabJob, "job_id", 300000, 100000000),
        fetch_id=fetch_id,
        uuid=job_uuid,
        api_key=body["key"],
        base_url=site_base(request),
        params={k: v for k, v in body.items() if k != "key"},
        meta=dubbing_meta(body, job_uuid, fetch_id),
        duration_s=media.source_duration_s(source),
        created=now,
        ready_at=now + ready_after(),
        eta=math.ceil(ready_after().total_seconds()),
        output_name=modelslab_output_name(job_uuid, body),
        fail_message=MODELSLAB_FAIL_MESSAGE if error_marker(prefix) else "",
        webhook_url=body.get("webhook") or "",
        track_id="" if body.get("track_id") is None else str(body["track_id"]),
        webhook_duplicate=webhook_duplicate(prefix),
    )


@sandbox_view(["POST"], Provider.MODELSLAB, "create_dubbing")
def modelslab_create_dubbing(request):
    """POST /api/v6/voice/create_dubbing (providers.md 2.2): always queues, answering `processing`.

    The answer carries eta, fetch_result (…/fetch/<fetch id>, a different number from `id`, as in the
    published example), future_links, output [] and meta. 401/400 as `{"status":"error","message"}`.
    """
    body, error = modelslab_body(request)
    if error:
        return error
    failure = marker_failure(Provider.MODELSLAB, "create_dubbing", str(body.get("file_prefix", "")))
    if failure is not None:
        return failure
    problem = validate_dubbing(body)
    if problem:
        return modelslab_error(400, problem)
    for attempt in range(3):  # two concurrent creates may draw the same random id: draw again
        try:
            with transaction.atomic():
                job = create_job_row(request, body)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    link = output_url(job.base_url, job.output_name)
    return JsonResponse(
        {
            "status": "processing",
            "tip": "Your audio is processing in background, you can get this audio using fetch API",
            "eta": job.eta,
            "message": "Try to fetch request after seconds estimated",
            "fetch_result": request.build_absolute_uri(
                reverse("sandbox:modelslab_fetch", args=[job.fetch_id])
            ),
            "id": job.job_id,
            "output": [],
            "future_links": [link],
            "proxy_links": [link],
            "meta": job.meta,
        }
    )


def job_result(job):
    """The fetch answer for a job (providers.md 2.3): processing with output "", success, or error."""
    if job.status == ModelsLabJob.Status.PROCESSING:
        # As documented (providers.md 2.3): no eta here, only the create answer has one.
        return {"status": "processing", "message": "try again later.", "output": "", "tip": ""}
    if job.status == ModelsLabJob.Status.FAILED:
        return {"status": "error", "id": job.job_id, "message": job.error_message}
    link = output_url(job.base_url, job.output_name)
    return {
        "status": "success",
        "generationTime": (job.ready_at - job.created).total_seconds(),
        "id": job.job_id,
        "output": [link],
        "proxy_links": [link],
        "meta": job.meta,
    }


@sandbox_view(["POST"], Provider.MODELSLAB, "fetch")
def modelslab_fetch(request, fetch_id):
    """POST /api/v6/voice/fetch/{id} with `{"key"}` (providers.md 2.3); takes the fetch id or the job id.

    Unknown ids answer 200 `{"status":"error","message":"request not found"}`, as clients in the wild expect.
    """
    body, error = modelslab_body(request)
    if error:
        return error
    mine = ModelsLabJob.objects.filter(api_key=body["key"])  # another account's job is "not found"
    job = mine.filter(fetch_id=fetch_id).first() or mine.filter(job_id=fetch_id).first()
    if job is None:
        return JsonResponse({"status": "error", "message": "request not found"})
    job.advance()
    return JsonResponse(job_result(job))


@sandbox_view(["POST"], Provider.MODELSLAB, "voice_list")
def modelslab_voice_list(request):
    """POST /api/v6/voice/voice_list `{key, type}` (providers.md 2.4): the account's uploaded voices."""
    body, error = modelslab_body(request)
    if error:
        return error
    kind = body.get("type", "manual")
    if kind not in catalog.MODELSLAB_VOICE_LIST_TYPES:
        return modelslab_error(400, f"type must be one of {', '.join(catalog.MODELSLAB_VOICE_LIST_TYPES)}")
    return JsonResponse({"status": "success", "voices": catalog.MODELSLAB_VOICES if kind == "manual" else []})


# ---------------------------------------------------------------------------------------------------------
# Outputs and control

DUBFORMER_OUTPUT = re.compile(r"dubformer_(\d+)_v\d+(_tts)?\.(mp4|wav)")
MODELSLAB_OUTPUT = re.compile(r"dubbed_(?:video|audio)_([0-9a-f-]{36})_[A-Za-z0-9_-]+\.(mp4|wav)")


def output_source(name):
    """What to make the output `name` from: duration, source URL, script lines, language and speaker styles
    of the finished job it belongs to; Http404 otherwise.

    Like ModelsLab's future_links (providers.md 2.8), an output is not readable before its job is done.
    """
    if found := DUBFORMER_OUTPUT.fullmatch(name):
        project = DubformerProject.objects.filter(project_id=found.group(1)).first()
        if project is not None:
            project.advance()
            if project.status == DubformerProject.Status.READY:
                end_s = max([s["end_ms"] / 1000 for s in project.target_script] + [project.duration_s])
                styles = {s.get("speaker_id"): s.get("style") for s in project.target_speakers}
                return {"duration_s": end_s, "source_url": project.source_video_url,
                        "segments": project.target_script, "language": project.target_lang, "styles": styles}  # fmt: skip
    elif found := MODELSLAB_OUTPUT.fullmatch(name):
        job = ModelsLabJob.objects.filter(uuid=found.group(1)).first()
        if job is not None:
            job.advance()
            if job.status == ModelsLabJob.Status.SUCCESS:
                return {"duration_s": job.duration_s, "source_url": job.meta.get("video_link", ""),
                        "language": str(job.params.get("output_lang") or "en")}  # fmt: skip
    raise Http404("No such output, or not ready yet.")


@sandbox_view(["GET", "HEAD"])
def output_file(request, name):
    """A finished job's output, generated on first request (see media.py): a spoken (or tone) WAV track, or
    an MP4 of the source video with it, served with Range support so that players can seek."""
    source = output_source(name)
    path = media.ensure_output(name, **source)
    content_type = "video/mp4" if path.suffix == ".mp4" else "audio/wav"
    return ranged_file_response(request, path.open("rb"), path.stat().st_size, content_type)


@sandbox_view(["POST"])
def control_fail(request):
    """POST control/fail `{provider, endpoint|"*", kind, times}`: the next `times` calls fail with `kind`."""
    body = parse_json(request) or {}
    endpoints = {Provider.DUBFORMER: DUBFORMER_ENDPOINTS, Provider.MODELSLAB: MODELSLAB_ENDPOINTS}
    provider, endpoint = body.get("provider"), body.get("endpoint", "*")
    kind, times = str(body.get("kind", "")), body.get("times", 1)
    if not isinstance(provider, str) or provider not in endpoints:
        return JsonResponse({"error": "provider must be dubformer or modelslab"}, status=400)
    if endpoint != "*" and (not isinstance(endpoint, str) or endpoint not in endpoints[provider]):
        return JsonResponse(
            {"error": f"endpoint must be * or one of {', '.join(endpoints[provider])}"}, status=400
        )
    if kind not in FailurePlan.KINDS:
        return JsonResponse({"error": f"kind must be one of {', '.join(FailurePlan.KINDS)}"}, status=400)
    if kind == FailurePlan.STALE and (provider, endpoint) != (Provider.DUBFORMER, "get_project"):
        return JsonResponse(
            {"error": "kind stale is for provider dubformer, endpoint get_project"}, status=400
        )
    if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= 10_000:
        return JsonResponse({"error": "times must be an integer from 1 to 10000"}, status=400)
    plan = FailurePlan.objects.create(provider=provider, endpoint=endpoint, kind=kind, remaining=times)
    return JsonResponse(
        {"id": plan.pk, "provider": provider, "endpoint": endpoint, "kind": kind, "times": times}, status=201
    )


@sandbox_view(["POST"])
def control_reset(request):
    """POST control/reset: drop every failure plan (marker plans included)."""
    deleted, _ = FailurePlan.objects.all().delete()
    return JsonResponse({"deleted": deleted})
