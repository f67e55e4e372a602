"""Dubformer Platform API client: typed requests and responses over the shared HTTP layer.

Contract: /work/shared/providers.md §1 and tests/contracts/dubformer-platform.schema.json. Base URL
`https://app.dubformer.ai` (or the sandbox), every path under `/api/v1/`, `Authorization: Bearer <key>`.
Dubformer is asynchronous: create a project (or a re-translation), then poll Get Project until its status is
`ready` or `error`; there is no webhook.

Requests are frozen dataclasses: `validate()` raises `InvalidRequest` with problems a person can act on,
`to_json()` returns exactly the documented body (optional fields left at None are not sent). Responses are
parsed defensively, because several details are not documented: ids arrive as strings or numbers, numbers
may be strings, and the field that describes a failed project has no published name.

No Django here: pure Python, requests and dataclasses.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit

from .http import (
    InvalidRequest,
    MalformedResponse,
    ProviderClient,
    ProviderError,
    ProviderRejected,
    UnusableKey,
    mask_payload,
)

MIXING_MODES = ("voiceover_only", "voiceover_with_original_track", "voiceover_without_original_voice")
DEFAULT_MIXING_MODE = "voiceover_with_original_track"
TTS_VOLUMES = ("very_quiet", "quieter", "normal", "louder", "very_loud")
STYLES = ("masculine", "feminine")
PROJECT_STATUSES = ("in_progress", "ready", "error")
FINISHED_STATUSES = ("ready", "error")
# "Only English, Spanish, French, German, Italian, Portuguese target languages" (Create Project page).
EMOTIONAL_TRANSFER_TARGETS = ("en", "es", "fr", "de", "it", "pt")

# Dubformer's documented error types ({"error": "<Type>", "message": "..."}).
ERROR_TYPES = ("ValidationError", "UnauthorizedError", "PaymentRequiredError", "VideoInfoError")
SUPPORT_EMAIL = "support@dubformer.ai"
# How a refusal of the (per-account) re-translation feature may read; the exact wording is undocumented.
NOT_ENABLED_RE = re.compile(
    r"(re-?translation|translations?|feature)\b.{0,60}\bnot (enabled|available|allowed)|contact (us|support)",
    re.IGNORECASE,
)

SOURCE_LANG_RE = re.compile(r"[a-z]{2,3}")
TARGET_LANG_RE = re.compile(r"[a-z]{2,3}-[A-Z]{2}")
# Where a failed project's description may be: the published page cuts the field name off.
ERROR_DESCRIPTION_FIELDS = ("error", "error_message", "message", "messege", "description")
NO_ERROR_DESCRIPTION = "Dubformer did not say what went wrong."
# Get Voices is undocumented: where a voice's key may be, and genders read as Dubformer's styles.
VOICE_KEY_FIELDS = ("key", "voice_key", "id")
GENDER_STYLES = {"male": "masculine", "m": "masculine", "female": "feminine", "f": "feminine"}


# ---------------------------------------------------------------------------------------------------------
# Small checks shared by the requests


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_http_url(value):
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_choice(problems, name, value, choices):
    if value is not None and value not in choices:
        problems.append(f"{name} must be one of {', '.join(choices)}, not {value!r}.")


def _check_flag(problems, name, value):
    if value is not None and not isinstance(value, bool):
        problems.append(f"{name} must be true or false, not {value!r}.")


def _without_none(body):
    return {key: value for key, value in body.items() if value is not None}


# ---------------------------------------------------------------------------------------------------------
# Requests


@dataclass(frozen=True)
class ScriptLine:
    """One segment of a script, as Dubformer sends and receives it."""

    start_ms: int
    end_ms: int
    text: str
    speaker_id: int

    def problems(self, number, known_speaker_ids=None):
        """What is wrong with this segment, each problem naming the segment (1-based) and the field."""
        where = f"Segment {number}"
        problems = []
        if not _is_int(self.start_ms) or not _is_int(self.end_ms):
            problems.append(f"{where}: start_ms and end_ms must be whole milliseconds.")
        elif self.start_ms < 0:
            problems.append(f"{where}: start_ms ({self.start_ms}) must not be negative.")
        elif self.start_ms >= self.end_ms:
            problems.append(
                f"{where}: start_ms ({self.start_ms}) must be before end_ms ({self.end_ms}); "
                "the segment has no duration."
            )
        if not isinstance(self.text, str) or not self.text.strip():
            problems.append(f"{where}: text is empty; Dubformer needs something to say.")
        if not _is_int(self.speaker_id):
            problems.append(f"{where}: speaker_id must be a whole number, not {self.speaker_id!r}.")
        elif known_speaker_ids is not None and self.speaker_id not in known_speaker_ids:
            problems.append(
                f"{where}: speaker_id {self.speaker_id} has no voice in target_speakers; "
                "give that speaker a voice or move the segment to another speaker."
            )
        return problems

    def to_json(self):
        return {
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "text": self.text,
            "speaker_id": self.speaker_id,
        }


@dataclass(frozen=True)
class VoiceAssignment:
    """Which voice and style Dubformer uses for one speaker."""

    speaker_id: int
    style: str
    voice_key: str

    def problems(self, number):
        where = f"Speaker {number}" + (f" (speaker_id {self.speaker_id})" if _is_int(self.speaker_id) else "")
        problems = []
        if not _is_int(self.speaker_id):
            problems.append(f"{where}: speaker_id must be a whole number, not {self.speaker_id!r}.")
        if self.style not in STYLES:
            problems.append(f"{where}: style must be masculine or feminine, not {self.style!r}.")
        if not isinstance(self.voice_key, str) or not self.voice_key.strip():
            problems.append(f"{where}: voice_key is empty; choose a voice (or soundalike).")
        return problems

    def to_json(self):
        return {"speaker_id": self.speaker_id, "voice_key": self.voice_key, "style": self.style}


@dataclass(frozen=True)
class CreateProjectRequest:
    """POST /api/v1/projects: dub a video into one target language."""

    source_lang: str
    target_lang: str
    source_video_url: str
    name: str | None = None
    mixing_mode: str | None = None
    use_emotional_transfer: bool | None = None
    use_soundalike_voices: bool | None = None
    source_script_content: str | None = None
    glossary_content: str | None = None

    def validate(self):
        problems = []
        if not isinstance(self.source_lang, str) or not SOURCE_LANG_RE.fullmatch(self.source_lang):
            problems.append(
                f"source_lang must be a language without a region, such as en or fr, not {self.source_lang!r}."
            )
        target_ok = isinstance(self.target_lang, str) and TARGET_LANG_RE.fullmatch(self.target_lang)
        if not target_ok:
            problems.append(
                f"target_lang must be a language with its region, such as fr-FR or en-US, not {self.target_lang!r}."
            )
        if not _is_http_url(self.source_video_url):
            problems.append(
                "source_video_url must be an http(s) link to the video (a direct file or YouTube URL)."
            )
        if self.name is not None and not isinstance(self.name, str):
            problems.append("name must be text.")
        _check_choice(problems, "mixing_mode", self.mixing_mode, MIXING_MODES)
        _check_flag(problems, "use_emotional_transfer", self.use_emotional_transfer)
        _check_flag(problems, "use_soundalike_voices", self.use_soundalike_voices)
        if self.use_emotional_transfer is True and target_ok:
            language = self.target_lang.split("-")[0]
            if language not in EMOTIONAL_TRANSFER_TARGETS:
                problems.append(
                    f"use_emotional_transfer is only available for English, Spanish, French, German, Italian "
                    f"and Portuguese targets, not {self.target_lang}."
                )
        for name in ("source_script_content", "glossary_content"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                problems.append(f"{name} must be non-empty text (leave it out to send none).")
        if problems:
            raise InvalidRequest(problems)

    def to_json(self):
        return _without_none(
            {
                "name": self.name,
                "source_lang": self.source_lang,
                "target_lang": self.target_lang,
                "source_video_url": self.source_video_url,
                "mixing_mode": self.mixing_mode,
                "use_emotional_transfer": self.use_emotional_transfer,
                "use_soundalike_voices": self.use_soundalike_voices,
                "source_script_content": self.source_script_content,
                "glossary_content": self.glossary_content,
            }
        )


@dataclass(frozen=True)
class RetranslationRequest:
    """POST /api/v1/projects/{id}/translations: re-dub a project from an edited target script."""

    target_script: tuple[ScriptLine, ...]
    target_speakers: tuple[VoiceAssignment, ...]
    mixing_mode: str | None = None
    use_fixed_timings: bool | None = None
    tts_volume: str | None = None

    def __post_init__(self):
        # Accept lists from callers but keep the request immutable (and hashable).
        object.__setattr__(self, "target_script", tuple(self.target_script))
        object.__setattr__(self, "target_speakers", tuple(self.target_speakers))

    def validate(self):
        problems = []
        if not self.target_script:
            problems.append("The script has no segments; Dubformer needs at least one to re-translate.")
        if not self.target_speakers:
            problems.append("target_speakers is empty; every speaker in the script needs a voice.")
        seen = set()
        for number, speaker in enumerate(self.target_speakers, start=1):
            problems.extend(speaker.problems(number))
            if _is_int(speaker.speaker_id):
                if speaker.speaker_id in seen:
                    problems.append(
                        f"Speaker {number}: speaker_id {speaker.speaker_id} is listed twice in target_speakers."
                    )
                seen.add(speaker.speaker_id)
        for number, line in enumerate(self.target_script, start=1):
            problems.extend(line.problems(number, seen))
        _check_choice(problems, "mixing_mode", self.mixing_mode, MIXING_MODES)
        _check_choice(problems, "tts_volume", self.tts_volume, TTS_VOLUMES)
        _check_flag(problems, "use_fixed_timings", self.use_fixed_timings)
        if problems:
            raise InvalidRequest(problems)

    def to_json(self):
        return _without_none(
            {
                "target_script": [line.to_json() for line in self.target_script],
                "target_speakers": [speaker.to_json() for speaker in self.target_speakers],
                "mixing_mode": self.mixing_mode,
                "use_fixed_timings": self.use_fixed_timings,
                "tts_volume": self.tts_volume,
            }
        )


# ---------------------------------------------------------------------------------------------------------
# Defensive parsing


def _number(value):
    """A float from a number or a numeric string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _whole(value):
    """An int from an int, a float or a numeric string (rounded to the millisecond); None otherwise."""
    number = _number(value)
    return None if number is None else round(number)


def _text(value):
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _datetime(value):
    """An aware datetime from an ISO-8601 string (`Z` or an offset; none means UTC); None if unparsable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _project_id(body):
    value = body.get("project_id") if isinstance(body, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        raise MalformedResponse(
            "Dubformer accepted the request but did not say which project it is (no project_id).", body=body
        )
    return str(value).strip()


def _first_text(body, fields):
    for name in fields:
        value = body.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _items(body, field_name):
    value = body.get(field_name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedResponse(f"Dubformer sent {field_name} that is not a list.")
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise MalformedResponse(f"Dubformer sent {field_name} item {number} that is not an object.")
    return value


def _script(body, field_name):
    lines = []
    for number, item in enumerate(_items(body, field_name), start=1):
        start_ms, end_ms, speaker_id = (_whole(item.get(key)) for key in ("start_ms", "end_ms", "speaker_id"))
        if start_ms is None or end_ms is None or speaker_id is None:
            raise MalformedResponse(
                f"Dubformer sent {field_name} segment {number} without usable start_ms, end_ms or speaker_id."
            )
        lines.append(ScriptLine(start_ms, end_ms, _text(item.get("text")), speaker_id))
    return tuple(lines)


def _speakers(body, field_name):
    speakers = []
    for number, item in enumerate(_items(body, field_name), start=1):
        speaker_id = _whole(item.get("speaker_id"))
        if speaker_id is None:
            raise MalformedResponse(
                f"Dubformer sent {field_name} speaker {number} without a usable speaker_id."
            )
        speakers.append(VoiceAssignment(speaker_id, _text(item.get("style")), _text(item.get("voice_key"))))
    return tuple(speakers)


# ---------------------------------------------------------------------------------------------------------
# Responses


@dataclass(frozen=True)
class JobAccepted:
    """What Create Project and Create Re-translation answer: the work is queued; poll Get Project."""

    project_id: str
    cost_minutes: float | None
    estimated_completion: datetime | None
    balance_minutes: float | None
    translations_count: int | None
    raw: dict = field(default_factory=dict, repr=False, compare=False)  # the whole answer, kept as sent

    @classmethod
    def from_json(cls, body, *, raw=None):
        if not isinstance(body, dict):
            raise MalformedResponse("Dubformer answered with something that is not a JSON object.")
        return cls(
            project_id=_project_id(body),
            cost_minutes=_number(body.get("cost_minutes")),
            estimated_completion=_datetime(body.get("estimated_completion_date")),
            balance_minutes=_number(body.get("balance_minutes")),
            translations_count=_whole(body.get("translations_count")),
            raw=raw if raw is not None else body,
        )


@dataclass(frozen=True)
class DubformerProject:
    """Get Project: its status and, once ready, the dubbed outputs and the scripts Dubformer used."""

    status: str
    name: str
    source_lang: str
    target_lang: str
    mixing_mode: str
    cost_minutes: float | None
    created: datetime | None
    estimated_completion: datetime | None
    completion: datetime | None
    output_video_url: str
    output_tts_audio_url: str
    source_script: tuple[ScriptLine, ...]
    target_script: tuple[ScriptLine, ...]
    speakers: tuple[VoiceAssignment, ...]
    error_message: str
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def finished(self):
        return self.status in FINISHED_STATUSES

    @classmethod
    def from_json(cls, body, *, raw=None):
        """`raw` is what to keep as the response (e.g. a masked copy); the body itself by default."""
        if not isinstance(body, dict):
            raise MalformedResponse(
                "Dubformer answered Get Project with something that is not a JSON object."
            )
        status = body.get("status")
        if status not in PROJECT_STATUSES:
            raise MalformedResponse(
                f"Dubformer reported an unknown project status {status!r} "
                f"(expected {', '.join(PROJECT_STATUSES)}).",
                body=raw if raw is not None else body,
            )
        error_message = ""
        if status == "error":
            error_message = _first_text(body, ERROR_DESCRIPTION_FIELDS) or NO_ERROR_DESCRIPTION
        return cls(
            status=status,
            name=_text(body.get("name")),
            source_lang=_text(body.get("source_lang")),
            target_lang=_text(body.get("target_lang")),
            mixing_mode=_text(body.get("mixing_mode")) or DEFAULT_MIXING_MODE,
            cost_minutes=_number(body.get("cost_minutes")),
            created=_datetime(body.get("created_date")),
            estimated_completion=_datetime(body.get("estimated_completion_date")),
            completion=_datetime(body.get("completion_date")),
            output_video_url=_text(body.get("output_video_url")),
            output_tts_audio_url=_text(body.get("output_tts_audio_url")),
            source_script=_script(body, "output_source_script"),
            target_script=_script(body, "output_target_script"),
            speakers=_speakers(body, "output_target_speakers"),
            error_message=error_message,
            raw=raw if raw is not None else body,
        )


@dataclass(frozen=True)
class Voice:
    """One voice from Get Voices (path and shape undocumented: parsed from several likely shapes)."""

    key: str
    name: str
    language: str
    style: str

    @classmethod
    def from_json(cls, item):
        """A Voice, or None when the item carries no usable key."""
        if isinstance(item, str):
            return cls(key=item, name=item, language="", style="") if item.strip() else None
        if not isinstance(item, dict):
            return None
        key = next((_text(item.get(name)).strip() for name in VOICE_KEY_FIELDS if _text(item.get(name))), "")
        if not key:
            return None
        style = _first_text(item, ("style", "gender")).lower()
        style = style if style in STYLES else GENDER_STYLES.get(style, "")
        return cls(
            key=key,
            name=_first_text(item, ("name", "display_name", "title")) or key,
            language=_first_text(item, ("language", "lang", "locale", "target_lang")),
            style=style,
        )

    def speaks(self, target_lang):
        """Whether this voice fits a target language (same primary language; unknown language fits)."""
        if not self.language:
            return True
        return self.language.split("-")[0].lower() == target_lang.split("-")[0].lower()


def _voice_items(body):
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for name in ("voices", "items", "data"):
            if isinstance(body.get(name), list):
                return body[name]
    raise MalformedResponse("Dubformer answered Get Voices with neither a list nor an object listing voices.")


# ---------------------------------------------------------------------------------------------------------
# Client


def _sentence(text):
    return text.strip().rstrip(".").strip()


class DubformerClient(ProviderClient):
    """The Dubformer Platform API. Retries, timeouts and key masking come from ProviderClient: 429, 5xx,
    timeouts and connection errors are retried, every other 4xx is final."""

    provider = "Dubformer"

    def __init__(self, base_url, api_key, *, voices_path="/api/v1/voices", **kwargs):
        super().__init__(base_url, api_key, **kwargs)
        self.voices_path = voices_path

    def _headers(self):
        return {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}

    def _check_body(self, body, response):
        # Not documented, but cheap to guard: an error body (a documented error type, no project status)
        # arriving with a 2xx status is a refusal, not a result.
        if isinstance(body, dict) and "status" not in body and body.get("error") in ERROR_TYPES:
            masked = mask_payload(body, [self.api_key])
            raise ProviderRejected(
                self.explain(response.status_code, masked), status=response.status_code, body=masked
            )

    def _rejection(self, status, said):
        return self.explain(status, {"message": self._masked(said)})

    # -- endpoints -------------------------------------------------------------------------------------
    def create_project(self, request: CreateProjectRequest, *, idempotency_key) -> JobAccepted:
        """Create a dubbing project. `idempotency_key` is one key per logical action, reused by its retries."""
        request.validate()
        body = self._call(
            "POST", "/api/v1/projects", json_body=request.to_json(), idempotency_key=idempotency_key
        )
        return JobAccepted.from_json(body, raw=mask_payload(body, [self.api_key]))

    def get_project(self, project_id) -> DubformerProject:
        body = self._call("GET", f"/api/v1/projects/{self._project_path(project_id)}", subject="project")
        return DubformerProject.from_json(body, raw=mask_payload(body, [self.api_key]))

    def create_retranslation(
        self, project_id, request: RetranslationRequest, *, idempotency_key
    ) -> JobAccepted:
        """Re-dub a project from an edited script (a feature Dubformer support enables per account)."""
        path = f"/api/v1/projects/{self._project_path(project_id)}/translations"
        request.validate()
        body = self._call(
            "POST",
            path,
            json_body=request.to_json(),
            idempotency_key=idempotency_key,
            subject="project",
            retranslation=True,
        )
        return JobAccepted.from_json(body, raw=mask_payload(body, [self.api_key]))

    def balance(self) -> float:
        """Minutes of source video the account can still dub."""
        body = self._call("GET", "/api/v1/balance")
        minutes = _number(body.get("balance_minutes")) if isinstance(body, dict) else None
        if minutes is None:
            raise MalformedResponse("Dubformer answered Get Balance without a usable balance_minutes.")
        return minutes

    def voices(self, target_lang=None) -> list[Voice]:
        """The voices Dubformer offers, for one target language if given. The endpoint is undocumented:
        the language goes as a `target_lang` query parameter and is also filtered here, in case it is
        ignored."""
        path = self.voices_path
        if target_lang:
            path += ("&" if "?" in path else "?") + urlencode({"target_lang": target_lang})
        voices = [voice for voice in map(Voice.from_json, _voice_items(self._call("GET", path))) if voice]
        if target_lang:
            voices = [voice for voice in voices if voice.speaks(target_lang)]
        return voices

    # -- plumbing --------------------------------------------------------------------------------------
    @staticmethod
    def _project_path(project_id):
        if (
            isinstance(project_id, bool)
            or not isinstance(project_id, int | str)
            or not str(project_id).strip()
        ):
            raise InvalidRequest([f"A Dubformer project id is needed, not {project_id!r}."])
        return quote(str(project_id).strip(), safe="")

    def _call(self, method, path, *, json_body=None, idempotency_key=None, subject=None, retranslation=False):
        headers = {}
        if method == "POST":
            if not isinstance(idempotency_key, str) or not idempotency_key.strip():
                raise InvalidRequest(["An idempotency key is needed so that retries cannot act twice."])
            headers["Idempotency-Key"] = idempotency_key
        try:
            return self.request(method, path, json_body=json_body, headers=headers)
        except UnusableKey:
            raise  # says what to do already; Dubformer never saw it
        except ProviderRejected as error:
            raise ProviderRejected(
                self.explain(error.status, error.body, subject=subject, retranslation=retranslation),
                status=error.status,
                body=error.body,
            ) from None
        except ProviderError as error:
            # http.py builds 5xx/429 messages from the raw body; never let an echoed key out.
            if self.api_key and self.api_key in error.message:
                error.message = self._masked(error.message)
                error.args = (error.message,)
            raise

    def explain(self, status, body, *, subject=None, retranslation=False):
        """A readable message for a refusal, from Dubformer's `{"error": "<Type>", "message": "..."}`."""
        body = body if isinstance(body, dict) else {}
        error_type = body.get("error") if isinstance(body.get("error"), str) else ""
        said = _sentence(self._masked(_first_text(body, ("message", "messege", "detail"))))
        if not said and error_type and error_type not in ERROR_TYPES and not error_type.endswith("Error"):
            said = _sentence(self._masked(error_type))  # `error` used as the message itself
        tail = f": {said}." if said else "."

        about_money = bool(re.search(r"balance|insufficient|credit|minutes|top.?up", said, re.IGNORECASE))
        not_enabled = bool(NOT_ENABLED_RE.search(said))
        feature_refused = status == 403 or not_enabled or (status == 402 and not about_money)
        if retranslation and feature_refused and error_type != "UnauthorizedError":
            return (
                "Re-translation is not enabled for this Dubformer account; it must be enabled by Dubformer "
                f"support ({SUPPORT_EMAIL})." + (f" Dubformer said: {said}." if said else "")
            )
        if error_type == "UnauthorizedError" or status == 401:
            return f"Dubformer refused the API key{tail} Check the Dubformer API key in the settings."
        if error_type == "PaymentRequiredError" or status == 402:
            return (
                "Dubformer says the account does not have enough credit or its plan does not allow this"
                f"{tail} Top up the balance or change the plan in Dubformer."
            )
        if error_type == "VideoInfoError":
            return (
                f"Dubformer could not read the source video{tail} "
                "Check that the link is a direct, publicly reachable video file or YouTube URL."
            )
        if error_type == "ValidationError" or status in (400, 422):
            return f"Dubformer refused the request as invalid{tail}"
        if status == 403:
            return f"Dubformer does not allow this for the account{tail}"
        if status == 404:
            return f"Dubformer does not know this {subject or 'item'}{tail}"
        return f"Dubformer refused the request ({status}){tail}"
