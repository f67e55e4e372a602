"""What both provider clients share: one HTTP session, timeouts, retries, error mapping and key masking.

Nothing here knows Django. A client is built from a base URL and a key (and optionally a
requests.Session, a sleep function for tests); it raises the exceptions below, whose messages are meant
for people and never contain the key.

Retries (tenacity): connection errors, timeouts, 429 (waiting what Retry-After or a body's retry_after
says) and 5xx are retried with exponential backoff and jitter; any other 4xx is final at once.
"""

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

logger = logging.getLogger("dubweb.providers")

SECRET_FIELDS = frozenset({"key", "api_key", "apikey", "authorization", "token", "secret"})


def mask(secret):
    """A key as it may be shown or stored: its last four characters at most."""
    if not secret:
        return ""
    secret = str(secret)
    return "••••" + secret[-4:] if len(secret) > 8 else "••••"


def mask_payload(value, secrets=()):
    """A copy of a request or response body with keys masked: by field name, and anywhere a known
    secret string appears (in URLs, messages…)."""
    secrets = [s for s in secrets if s]
    if isinstance(value, dict):
        return {
            k: (
                mask(v)
                if str(k).lower() in SECRET_FIELDS and isinstance(v, str)
                else mask_payload(v, secrets)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_payload(item, secrets) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, mask(secret))
        return value
    return value


class ProviderError(Exception):
    """Something went wrong talking to a provider. `message` is for people; `status` the HTTP status
    (None without a response); `body` the parsed response, keys masked."""

    retryable = False

    def __init__(self, message, *, status=None, body=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


class ProviderRejected(ProviderError):
    """The provider refused the request (4xx, or an error status in a 200 body): retrying will not help."""


class UnusableKey(ProviderRejected):
    """Not sent: the API key is empty or could not travel in a request (spaces, line breaks, non-ASCII)."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or failed (timeouts, connection errors, 5xx)."""

    retryable = True


class RateLimited(ProviderUnavailable):
    """429: too many requests; `retry_after_s` is what the provider asked us to wait, if it said."""

    def __init__(self, message, *, retry_after_s=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s


class MalformedResponse(ProviderError):
    """The provider answered with something that is not the JSON its contract promises."""


class InvalidRequest(ValueError):
    """A request that must not leave: `problems` says which segment or field is wrong."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems[:3]))


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    max_retry_after_s: float = (
        120.0  # a longer wait is the job's business (rescheduled), not a sleeping worker's
    )


def is_usable_key(key):
    """Whether `key` can travel as an API key: printable ASCII without spaces (a header cannot carry
    line breaks, and a pasted key with them is a mistake)."""
    return isinstance(key, str) and bool(key) and key.isascii() and key.isprintable() and " " not in key


def message_of(body):
    """A provider's error text: `message`, or the legacy misspelling `messege`, or `error`."""
    if isinstance(body, dict):
        for field in ("message", "messege", "error", "detail"):
            value = body.get(field)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _retry_after(response, body):
    """Seconds to wait before asking again: `Retry-After` (seconds or an HTTP date), `X-RateLimit-Reset`
    (seconds, or the epoch time it ends, as some APIs send it), or ModelsLab's `retry_after` in the body."""
    headers = response.headers
    candidates = (
        _seconds_until(headers.get("Retry-After")),
        _seconds_until(headers.get("X-RateLimit-Reset")),
        _seconds_until(body.get("retry_after") if isinstance(body, dict) else None),
    )
    return next((seconds for seconds in candidates if seconds is not None), None)


_EPOCH_2001 = 1_000_000_000  # a "seconds to wait" this large is a point in time


def _seconds_until(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        try:
            moment = parsedate_to_datetime(str(value))
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, (moment - datetime.now(UTC)).total_seconds())
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    if seconds >= _EPOCH_2001:
        return max(0.0, seconds - time.time())
    return seconds


class _NotSent(ProviderUnavailable):
    """No connection was made: the request cannot have reached the provider."""


def _worth_retrying(error, repeatable):
    if not isinstance(error, ProviderUnavailable):
        return False
    return repeatable or isinstance(error, (_NotSent, RateLimited))


class ProviderClient:
    """One provider's HTTP session. Subclasses say how to authenticate and what their bodies mean."""

    provider = "provider"

    def __init__(
        self,
        base_url,
        api_key,
        *,
        session=None,
        connect_timeout_s=5.0,
        read_timeout_s=60.0,
        retry=RetryPolicy(),  # noqa: B008 (frozen dataclass)
        sleep=time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._owns_session = session is None
        self.session = session or requests.Session()
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.retry = retry
        self._sleep = sleep

    # -- lifetime: `with Client(...) as client:` closes the connections it opened -----------------------
    def close(self):
        # An idle keep-alive connection left open holds a server thread (and its database connection on a
        # threaded server such as runserver) until it times out.
        if self._owns_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- subclasses ------------------------------------------------------------------------------------
    def _headers(self):
        return {}

    def _check_body(self, body, response):
        """Raise for an error carried in a successful response (some providers answer 200 + error)."""

    # -- requests --------------------------------------------------------------------------------------
    def url(self, path):
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method, path, *, json_body=None, headers=None, repeatable=True):
        """The parsed JSON body of a successful response, after retries; or one of the errors above.

        `repeatable=False` is for a POST the provider cannot deduplicate (no Idempotency-Key): it is
        retried only when it surely did not arrive or was turned away (no connection, 429), never after a
        read timeout or a 5xx, which may have started a job already."""
        if not is_usable_key(self.api_key):
            # Not sent at all: an empty key, or one with a line break, would make a broken or forged header.
            raise UnusableKey(
                f"No usable {self.provider} API key: set one in the team's provider keys "
                f"(letters, digits and punctuation, without spaces or line breaks)."
            )
        retrying = Retrying(
            stop=stop_after_attempt(self.retry.attempts),
            retry=retry_if_exception(lambda error: _worth_retrying(error, repeatable)),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._send, method, path, json_body, headers or {})
        except ProviderError as error:
            # The provider's own words may echo the key (a 401 quoting it): never let it into a message.
            error.message = self._masked(error.message)
            error.args = (error.message,)
            raise

    def _wait(self, state: RetryCallState):
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited) and error.retry_after_s is not None:
            return min(error.retry_after_s, self.retry.max_retry_after_s)
        exponential = self.retry.backoff_base_s * 2 ** (state.attempt_number - 1)
        return min(self.retry.backoff_max_s, exponential) * (0.5 + random.random() / 2)  # noqa: S311 (jitter)

    def _send(self, method, path, json_body, headers):
        url = self.url(path)
        try:
            response = self.session.request(
                method, url, json=json_body, headers={**self._headers(), **headers}, timeout=self.timeout
            )
        except requests.ConnectTimeout:
            logger.warning("%s %s %s: no connection in time", self.provider, method, self._masked(url))
            raise _NotSent(f"{self.provider} could not be reached.") from None
        except requests.Timeout:
            logger.warning("%s %s %s timed out", self.provider, method, self._masked(url))
            raise ProviderUnavailable(f"{self.provider} did not answer in time.") from None
        except requests.ConnectionError:
            logger.warning("%s %s %s could not connect", self.provider, method, self._masked(url))
            raise _NotSent(f"{self.provider} could not be reached.") from None
        body = self._parse(response)
        logger.info("%s %s %s → %s", self.provider, method, self._masked(url), response.status_code)
        status = response.status_code
        masked = mask_payload(body, [self.api_key])
        said = message_of(body)
        if status == 429:
            raise RateLimited(
                f"{self.provider} is busy (too many requests){': ' + said if said else ''}.",
                retry_after_s=_retry_after(response, body),
                status=status,
                body=masked,
            )
        if status >= 500:
            raise ProviderUnavailable(
                f"{self.provider} had an error ({status}){': ' + said if said else ''}.",
                status=status,
                body=masked,
            )
        if status >= 400:
            raise ProviderRejected(self._rejection(status, said), status=status, body=masked)
        if body is None:
            raise MalformedResponse(f"{self.provider} answered {status} without a JSON body.", status=status)
        self._check_body(body, response)
        return body

    def _parse(self, response):
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            if response.status_code >= 400:
                # A proxy's or framework's HTML error page says nothing a person can use: leave it out.
                text = response.text.strip()
                html = "html" in response.headers.get("Content-Type", "") or text.startswith("<")
                return {"message": "" if html else text[:300]}
            # Kept (keys masked, the start only) so that the job's answers show what came instead.
            raise MalformedResponse(
                f"{self.provider} answered {response.status_code} with something that is not JSON.",
                status=response.status_code,
                body={"not_json": self._masked(response.text[:1000])},
            ) from None

    def _rejection(self, status, said):
        reasons = {
            400: "refused the request as invalid",
            401: "refused the API key",
            402: "says the account has no credit left or the plan does not allow this",
            403: "does not allow this for the account",
            404: "does not know this item",
            422: "refused the request as invalid",
        }
        reason = reasons.get(status, f"refused the request ({status})")
        return f"{self.provider} {reason}{': ' + said if said else ''}."

    def _masked(self, text):
        return mask_payload(text, [self.api_key])


def dumps_masked(body, secrets):
    """JSON text of a body with keys masked, for storing what was sent."""
    return json.dumps(mask_payload(body, secrets), ensure_ascii=False)
