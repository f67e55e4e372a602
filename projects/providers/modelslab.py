"""ModelsLab's v6 voice API: create a dub, follow it to the end, list the account's voices.

ModelsLab dubbing is automatic (transcribe → translate → speak) from a video URL: the request carries the
video, the languages and a voice, never a script (../shared/providers.md §2.2). Every call is a JSON POST
with the API key *in the body* as `key`; answers share one envelope (`VoiceResponse`) whose shape drifts
between endpoints and examples, so `DubbingResult` reads it defensively.

Quirks this module absorbs (providers.md §2.2–2.6):
- errors may come with HTTP 200 and `status: "error"` (or `"failed"`), the text in `message` or `messege`;
- a full queue is a 429 with `retry_after` in the body, or a 200 error saying so;
- `fetch_result` may name another id than `id` (published example: fetch/271 for id 334166);
- `output` is `[]`, `""` or a list of URLs; ids and `track_id` come as numbers or strings.

Nothing here knows Django; retries, timeouts and key masking come from `http.py`.
"""

import logging
import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote, urlsplit

from ..languages import MODELSLAB_OUTPUT_CODES, MODELSLAB_SOURCE_CODES
from .http import (
    InvalidRequest,
    MalformedResponse,
    ProviderClient,
    ProviderRejected,
    RateLimited,
    _retry_after,
    mask_payload,
    message_of,
)

logger = logging.getLogger("dubweb.providers")

# ModelsLab's own language lists are part of dubweb's language table (projects/languages.py, Django-free).
OUTPUT_LANGS = MODELSLAB_OUTPUT_CODES
SOURCE_LANGS = MODELSLAB_SOURCE_CODES
VOICE_LIST_TYPES = ("manual", "trained", "voice_cover")


CREATE_DUBBING_PATH = "/api/v6/voice/create_dubbing"
FETCH_PATH = "/api/v6/voice/fetch/{id}"
VOICE_LIST_PATH = "/api/v6/voice/voice_list"

SUCCESS, PROCESSING, FAILED = "success", "processing", "failed"
_STATUSES = {"success": SUCCESS, "processing": PROCESSING, "error": FAILED, "failed": FAILED}

# An error that means "the queue is full, come back later" rather than "this request is wrong".
_BUSY = re.compile(
    r"rate.?limit|too many requests|queue (is )?full|queued requests|queue limit|current_queue", re.I
)
_NOT_FOUND = re.compile(r"not found", re.I)
# While polling, a "failed" that asks to try again is a job still on its way (providers.md §2.8).
_TRY_AGAIN = re.compile(r"try again", re.I)


def _shown(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_http_url(value):
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_whole_number(value):
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class CreateDubbingRequest:
    """What `POST /api/v6/voice/create_dubbing` takes (OpenAPI `CreateDubbingRequest`), minus the key.

    None means "not sent": ModelsLab then applies its own default (source_lang `hi`, voice_model `kokoro`,
    speed 1, file_prefix `spanish_dub`, base64 false)."""

    init_video: str
    output_lang: str
    source_lang: str | None = None
    voice_id: str | None = None
    voice_model: str | None = None
    speed: float | None = None
    file_prefix: str | None = None
    base64: bool | None = None
    seed: int | None = None
    webhook: str | None = None
    track_id: int | None = None

    def validate(self):
        """Raise InvalidRequest listing every field ModelsLab would refuse (or that makes no sense)."""
        problems = []
        if self.base64 is not None and not isinstance(self.base64, bool):
            problems.append(f"base64 must be true or false, not {_shown(self.base64)}.")
        if self.base64 is True:
            if not isinstance(self.init_video, str) or not self.init_video.strip():
                problems.append("The video to dub is missing: init_video must hold the base64 video.")
        elif not _is_http_url(self.init_video):
            problems.append(
                f"The video to dub must be an http:// or https:// URL ModelsLab can download, "
                f"not {_shown(self.init_video)}."
            )
        if self.output_lang not in OUTPUT_LANGS:
            problems.append(
                f"ModelsLab cannot dub into {_shown(self.output_lang)}: the output language must be one of "
                f"{', '.join(OUTPUT_LANGS)}."
            )
        if self.source_lang is not None and self.source_lang not in SOURCE_LANGS:
            problems.append(
                f"ModelsLab does not take {_shown(self.source_lang)} as a source language: use one of its "
                f"{len(SOURCE_LANGS)} codes ({', '.join(SOURCE_LANGS[:3])}, zh-CN, …)."
            )
        for name in ("voice_id", "voice_model", "file_prefix"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                problems.append(f"{name} must be non-empty text, not {_shown(value)}.")
        # The schema says only "number, default 1"; the dashboard's form keeps people to 0.5–2.
        if self.speed is not None and not (
            isinstance(self.speed, int | float) and not isinstance(self.speed, bool) and self.speed > 0
        ):
            problems.append(f"The speed must be a number above 0 (1 is normal), not {_shown(self.speed)}.")
        if self.seed is not None and not (_is_whole_number(self.seed) and self.seed >= 0):
            problems.append(
                f"The seed must be a whole number, 0 or more (0 is random), not {_shown(self.seed)}."
            )
        if self.webhook is not None and not _is_http_url(self.webhook):
            problems.append(f"The webhook must be an http:// or https:// URL, not {_shown(self.webhook)}.")
        if self.track_id is not None and not _is_whole_number(self.track_id):
            problems.append(
                f"track_id must be a whole number (ModelsLab's schema), not {_shown(self.track_id)}."
            )
        if problems:
            raise InvalidRequest(problems)

    def to_json(self, key):
        """The documented request body, `key` included; fields left at None are not sent."""
        self.validate()
        if not isinstance(key, str) or not key:
            raise InvalidRequest(["No ModelsLab API key is configured."])
        body = {"key": key, "init_video": self.init_video, "output_lang": self.output_lang}
        optional = {
            "source_lang": self.source_lang,
            "voice_id": self.voice_id,
            "voice_model": self.voice_model,
            "speed": None if self.speed is None else float(self.speed),
            "file_prefix": self.file_prefix,
            "base64": self.base64,
            "seed": self.seed,
            "webhook": self.webhook,
            "track_id": self.track_id,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        return body


def _text_id(value):
    """An id as text: ModelsLab sends 334166, "271" or "abc123-def456" depending on the endpoint."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _seconds(value):
    if isinstance(value, bool):
        return None
    try:
        seconds = round(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if seconds >= 0 else None


def _urls(*values):
    """Non-empty URL strings from fields that hold a list, a single string or "" — in order, once each."""
    urls = []
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip() and item.strip() not in urls:
                urls.append(item.strip())
    return tuple(urls)


@dataclass(frozen=True)
class DubbingResult:
    """Where a dub stands, read from a create, fetch or webhook body.

    `status` is "success", "processing" or "failed" (ModelsLab's "error" and "failed" alike).
    `output_urls` are the finished files (empty unless success); while processing, every link ModelsLab
    already announced is in `future_urls` (files that will exist there, not yet readable).
    `fetch_url` is where to poll (`fetch_result`, verbatim). `raw` is the body with the key masked."""

    status: str
    id: str | None = None
    fetch_url: str | None = None
    eta_s: int | None = None
    output_urls: tuple[str, ...] = ()
    future_urls: tuple[str, ...] = ()
    message: str = ""
    track_id: str | None = None
    meta: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    @property
    def finished(self):
        return self.status != PROCESSING

    @classmethod
    def from_body(cls, body, *, secrets=(), id=None, fetch_url=None, track_id=None):
        """Parse a VoiceResponse-like body. `id`, `fetch_url` and `track_id` fill in what the body leaves
        out (a fetch answer often has no id). Raises MalformedResponse without a status we know."""
        masked = mask_payload(body, secrets)
        if not isinstance(body, dict):
            raise MalformedResponse(
                "ModelsLab answered with something that is not a JSON object.", body=masked
            )
        said = body.get("status")
        status = _STATUSES.get(said.strip().lower()) if isinstance(said, str) else None
        if status is None:
            raise MalformedResponse(
                f"ModelsLab answered without a status we know ({_shown(said)}).", status=200, body=masked
            )
        meta = masked.get("meta") if isinstance(masked.get("meta"), dict) else {}
        links = (body.get("output"), body.get("proxy_links"), body.get("links"))
        # A success whose files are only announced: the future links are where they are (providers.md §2.8).
        finished = _urls(*links) or _urls(body.get("future_links"))
        fetch_result = body.get("fetch_result")
        return cls(
            status=status,
            id=_text_id(body.get("id")) or _text_id(id),
            fetch_url=fetch_result.strip() if _is_http_url(fetch_result) else fetch_url,
            eta_s=_seconds(body.get("eta")),
            output_urls=finished if status == SUCCESS else (),
            future_urls=_urls(body.get("future_links"), *links) if status == PROCESSING else (),
            message=mask_payload(message_of(body), secrets),
            track_id=_text_id(body.get("track_id")) or _text_id(meta.get("track_id")) or _text_id(track_id),
            meta=meta,
            raw=masked,
        )


def parse_webhook(body, *, secrets=()):
    """What ModelsLab POSTed to our webhook. Webhooks are unsigned and best effort: treat the result as a
    hint and confirm it with `ModelsLabClient.fetch` before trusting it."""
    return DubbingResult.from_body(body, secrets=secrets)


def webhook_track_id(body):
    """The `track_id` a webhook body echoes, as text (None when it has none: `null` is documented)."""
    if not isinstance(body, dict):
        return None
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    return _text_id(body.get("track_id")) or _text_id(meta.get("track_id"))


@dataclass(frozen=True)
class Voice:
    voice_id: str
    name: str
    language: str = ""


def _failed(body):
    return isinstance(body, dict) and _STATUSES.get(str(body.get("status", "")).strip().lower()) == FAILED


class ModelsLabClient(ProviderClient):
    """ModelsLab's voice API. `base_url` is the host root (https://modelslab.com, or the sandbox's
    …/sandbox/modelslab); the key travels in each JSON body, never in a header."""

    provider = "ModelsLab"

    def __init__(self, base_url, api_key, **kwargs):
        base_url = base_url.rstrip("/")
        base_url = base_url.removesuffix("/api/v6")  # the OpenAPI `servers` URL names the same host
        super().__init__(base_url, api_key, **kwargs)

    # -- calls -----------------------------------------------------------------------------------------
    def create_dubbing(self, request):
        """Start a dub. Returns its result (usually "processing"); raises ProviderRejected when ModelsLab
        refuses it, even with HTTP 200."""
        # Not repeatable: ModelsLab has no idempotency key, so a create that may have arrived is not re-sent.
        body = self.request(
            "POST", CREATE_DUBBING_PATH, json_body=request.to_json(self.api_key), repeatable=False
        )
        if _failed(body):
            said = self._masked(message_of(body))
            raise ProviderRejected(
                f"ModelsLab refused the dub: {said}"
                if said
                else "ModelsLab refused the dub without saying why.",
                status=200,
                body=self._masked_body(body),
            )
        return DubbingResult.from_body(body, secrets=[self.api_key], track_id=request.track_id)

    def fetch(self, result_or_id, *, fetch_url=None):
        """Where a dub stands now. Polls `fetch_url` (or the result's `fetch_result`) verbatim, and
        `/api/v6/voice/fetch/{id}` when there is none or it does not know the request. A job that ended
        in error comes back as a result with status "failed", not as an exception."""
        if isinstance(result_or_id, DubbingResult):
            dub_id, track_id = result_or_id.id, result_or_id.track_id
            fetch_url = fetch_url or result_or_id.fetch_url
        else:
            dub_id, track_id = _text_id(result_or_id), None
        if not fetch_url and not dub_id:
            raise InvalidRequest(["Nothing to fetch: the dub has neither an id nor a fetch URL."])
        used = None
        body = None
        if fetch_url:
            used = self._trusted_fetch_url(fetch_url, dub_id)
            body = self._fetch_or_none(used, can_fall_back=bool(dub_id))
        if body is None:
            used = self.url(FETCH_PATH.format(id=quote(dub_id, safe="")))
            if fetch_url:
                logger.info("ModelsLab did not know %s; fetching %s instead", self._masked(fetch_url), used)
            body = self.request("POST", used, json_body={"key": self.api_key})
        result = DubbingResult.from_body(
            body, secrets=[self.api_key], id=dub_id, fetch_url=used, track_id=track_id
        )
        if result.status == FAILED and _TRY_AGAIN.search(result.message):
            return replace(result, status=PROCESSING)
        return result

    def voice_list(self, type="manual"):
        """The account's voices of one kind: "manual" (uploaded), "trained" or "voice_cover"."""
        if type not in VOICE_LIST_TYPES:
            raise InvalidRequest(
                [f"ModelsLab has no {_shown(type)} voice list: use one of {', '.join(VOICE_LIST_TYPES)}."]
            )
        body = self.request("POST", VOICE_LIST_PATH, json_body={"key": self.api_key, "type": type})
        if _failed(body):
            said = self._masked(message_of(body))
            raise ProviderRejected(
                f"ModelsLab would not list voices{': ' + said if said else ''}.",
                status=200,
                body=self._masked_body(body),
            )
        voices = body.get("voices") if isinstance(body, dict) else None
        if not isinstance(voices, list):
            raise MalformedResponse(
                "ModelsLab's voice list has no list of voices.", body=self._masked_body(body)
            )
        found = []
        for item in voices:
            voice_id = _text_id(item.get("voice_id")) if isinstance(item, dict) else None
            if voice_id:
                name, language = item.get("name"), item.get("language")
                found.append(
                    Voice(
                        voice_id=voice_id,
                        name=name.strip() if isinstance(name, str) and name.strip() else voice_id,
                        language=language.strip() if isinstance(language, str) else "",
                    )
                )
        return found

    # -- plumbing --------------------------------------------------------------------------------------
    def _check_body(self, body, response):
        """A 200 that says the queue is full is a rate limit: retried like a 429."""
        if _failed(body) and _BUSY.search(message_of(body)):
            raise RateLimited(
                f"ModelsLab is busy (queue full): {self._masked(message_of(body))}",
                retry_after_s=_retry_after(response, body),
                status=response.status_code,
                body=self._masked_body(body),
            )

    def _fetch_or_none(self, url, *, can_fall_back):
        """The body at a fetch URL; None when it does not know the request and the id can be asked instead."""
        try:
            body = self.request("POST", url, json_body={"key": self.api_key})
        except ProviderRejected as error:
            if can_fall_back and (error.status == 404 or _NOT_FOUND.search(error.message)):
                return None
            raise
        if can_fall_back and _failed(body) and _NOT_FOUND.search(message_of(body)):
            return None
        return body

    def _trusted_fetch_url(self, fetch_url, dub_id):
        """`fetch_url` if it is on our base URL's host; otherwise the same fetch asked of our host, so the key
        is never POSTed to a host we were not configured with (a fetch URL may come from an unsigned webhook
        or a stored row)."""
        if _origin(fetch_url) == _origin(self.base_url):
            return fetch_url
        segment = urlsplit(fetch_url).path.rstrip("/").rsplit("/", 1)[-1]
        fetch_id = segment if "/fetch/" in urlsplit(fetch_url).path and segment else dub_id
        if not fetch_id:
            raise InvalidRequest(["The fetch URL is on another host than ModelsLab's and names no id."])
        safe = self.url(FETCH_PATH.format(id=quote(fetch_id, safe="")))
        logger.warning("ModelsLab fetch URL %s is on another host; asking %s", self._masked(fetch_url), safe)
        return safe

    def _masked_body(self, body):
        return mask_payload(body, [self.api_key])


def _origin(url):
    parts = urlsplit(url)
    default_port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port or default_port
    except ValueError:
        return None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port
