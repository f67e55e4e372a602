"""Fetching a provider's output file (dubbed video, voice track) into a local file.

Providers do not promise how long their output links live (providers.md 2.8: ModelsLab's may last 24 h),
so dubweb keeps its own copy. Nothing here knows Django: the caller gives the URL and a writable binary
file. A GET is safe to repeat, so connection errors, timeouts, 429 and 5xx are retried with backoff and
jitter (the same policy as the API calls); other 4xx, an HTML or JSON page instead of media, and a file
over the size limit are final. The fetch itself is a guarded one (guarded_fetch): a link to a private
address, directly or by a redirect, is refused and never retried.
"""

import logging
import random
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt

from . import guarded_fetch
from .http import RetryPolicy

logger = logging.getLogger("dubweb.providers")

CHUNK_BYTES = 256 * 1024
NOT_MEDIA = ("text/html", "application/json", "text/plain", "application/xml", "text/xml")


class DownloadFailed(Exception):
    """The file could not be fetched; the message is for people."""

    retryable = False


class _Retryable(DownloadFailed):
    retryable = True


@dataclass(frozen=True)
class Downloaded:
    size: int
    content_type: str


def download(
    url,
    dest,
    *,
    max_bytes,
    connect_timeout_s=5.0,
    read_timeout_s=60.0,
    total_timeout_s=900.0,
    allowed_origins=(),
    retry=RetryPolicy(),  # noqa: B008 (frozen dataclass)
    sleep=time.sleep,
):
    """Stream `url` into `dest` (truncated before each attempt). Raises DownloadFailed."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise DownloadFailed("The provider's output link is not an http(s) URL.")
    policy = guarded_fetch.FetchPolicy(
        connect_timeout_s=connect_timeout_s,
        read_timeout_s=read_timeout_s,
        total_timeout_s=total_timeout_s,
        allowed_origins=tuple(allowed_origins),
    )

    def attempt():
        dest.seek(0)
        dest.truncate()
        return _fetch(url, dest, max_bytes, policy)

    def wait(state):
        exponential = retry.backoff_base_s * 2 ** (state.attempt_number - 1)
        return min(retry.backoff_max_s, exponential) * (0.5 + random.random() / 2)  # noqa: S311 (jitter)

    retrying = Retrying(
        stop=stop_after_attempt(retry.attempts),
        retry=retry_if_exception(lambda error: getattr(error, "retryable", False)),
        wait=wait,
        sleep=sleep,
        reraise=True,
    )
    return retrying(attempt)


def _fetch(url, dest, max_bytes, policy):
    host = urlsplit(url).hostname or "the provider"
    try:
        with guarded_fetch.get(url, policy) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                raise _Retryable(f"{host} answered {status} for the output file.")
            if status >= 400:
                raise DownloadFailed(
                    f"{host} answered {status} for the output file (the link may have expired)."
                )
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type in NOT_MEDIA:
                raise DownloadFailed(f"{host} sent a {content_type} page instead of the output file.")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise DownloadFailed(_too_big(max_bytes))
            size = 0
            for chunk in response.iter_content(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadFailed(_too_big(max_bytes))
                dest.write(chunk)
            if declared.isdigit() and size != int(declared):
                raise _Retryable(f"{host} closed the connection before the whole file arrived.")
    except guarded_fetch.FetchRefused as refused:
        raise DownloadFailed(f"The output link {refused}; not copied.") from None
    except guarded_fetch.TooSlow:
        raise DownloadFailed(
            f"{host} did not send the whole output file within {policy.total_timeout_s:g} s; "
            "use the provider's link."
        ) from None
    except requests.ConnectTimeout:
        raise _Retryable(f"{host} could not be reached to fetch the output file.") from None
    except requests.Timeout:
        raise _Retryable(f"{host} did not send the output file in time.") from None
    except requests.RequestException:
        raise _Retryable(f"{host} could not be reached to fetch the output file.") from None
    if size == 0:
        raise DownloadFailed(f"{host} sent an empty output file.")
    logger.info("output file from %s: %d bytes", host, size)
    return Downloaded(size=size, content_type=content_type)


def _too_big(max_bytes):
    return f"The output file is larger than dubweb keeps ({max_bytes // 2**20} MB); use the provider's link."
