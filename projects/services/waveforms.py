"""Waveforms: the audio peaks of a project's source video and of each kept provider output, computed once
by the worker and stored as an audiowaveform .dat file in the default storage (MEDIA_ROOT).

A request (the video URL changed, an output was kept, someone pressed "Compute again") bumps the row's
`generation` and queues a task for that generation; the task claims it (pending → running) and ends it
(ready or failed, with the reason) only if no newer request came meanwhile, so a slow old computation
never overwrites a newer one and running a task twice does nothing the second time.

Where the audio comes from: a path on this site under STATIC_URL is read from the static files (the demo's
`/static/demo/keynote.mp4`); an http(s) URL is downloaded to a temporary file through the guarded fetcher
(http(s) only, no private or loopback address except the sandbox's own while it is on, size and time
limits); a kept output is read from storage.
"""

import gzip
import logging
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import waveform_peaks
from ..models import Waveform
from ..providers import guarded_fetch
from . import outputs

logger = logging.getLogger("dubweb.waveforms")

CHUNK_BYTES = 256 * 1024
# A request still pending or running this long after it was made has lost its task (a worker killed).
STUCK_AFTER = timedelta(seconds=settings.Q_CLUSTER["retry"])
IN_PROGRESS = (Waveform.Status.PENDING, Waveform.Status.RUNNING)
OUTPUT_TRACKS = (("video", "output_video_file"), ("audio", "output_audio_file"))


class WaveformError(Exception):
    """A request that cannot be made now; the message says why."""


class SourceUnavailable(Exception):
    """The media could not be read or fetched; the message is for people."""


# --- requests ------------------------------------------------------------------------------------------


def source_changed(project):
    """After a project is created or saved: compute the source video's peaks if its URL is new. A project
    without a video has no waveform (the page says so)."""
    if not settings.COMPUTE_WAVEFORMS:
        return
    url = project.source_video_url
    current = source_waveform(project)
    if not url:
        if current:
            if current.peaks_file:
                delete_files(current.peaks_file.name)
            current.delete()
        return
    if current is None or current.source_url != url:
        _request(project, None, Waveform.Track.SOURCE, url)


def output_kept(submission):
    """After a job's outputs were copied into storage: compute the peaks of each copy."""
    if not settings.COMPUTE_WAVEFORMS:
        return
    for track, field in OUTPUT_TRACKS:
        stored = getattr(submission, field)
        if stored:
            _request(submission.project, submission, track, stored.name)


def compute_again(project):
    """The "Compute again" button: recompute the source video's peaks (after a failure, or to refresh)."""
    if not settings.COMPUTE_WAVEFORMS:
        raise WaveformError("Waveforms are turned off on this server (COMPUTE_WAVEFORMS).")
    if not project.source_video_url:
        raise WaveformError("This project has no source video.")
    current = source_waveform(project)
    if current and current.status in IN_PROGRESS and not is_stuck(current):
        raise WaveformError("The waveform is being computed already.")
    return _request(project, None, Waveform.Track.SOURCE, project.source_video_url)


def request(project, submission, track, source_url, *, queue=True):
    """Ask for this track's peaks again (manage.py compute_waveforms); the pending request is returned."""
    return _request(project, submission, track, source_url, queue=queue)


def source_waveform(project):
    return Waveform.objects.filter(project=project, submission=None, track=Waveform.Track.SOURCE).first()


def is_stuck(waveform):
    return waveform.status in IN_PROGRESS and timezone.now() - waveform.updated_at > STUCK_AFTER


def _request(project, submission, track, source_url, *, queue=True):
    """A new request (generation) for this track's peaks, queued for the worker once committed (or, with
    `queue=False`, left pending for the caller to compute)."""
    with transaction.atomic():
        waveform, _ = Waveform.objects.get_or_create(
            project=project, submission=submission, track=track, defaults={"source_url": source_url}
        )
        Waveform.objects.filter(pk=waveform.pk).update(
            status=Waveform.Status.PENDING,
            error_message="",
            source_url=source_url,
            generation=F("generation") + 1,
            updated_at=timezone.now(),
        )
        waveform.refresh_from_db()
    pk, generation = waveform.pk, waveform.generation
    if queue:
        transaction.on_commit(lambda: enqueue(pk, generation))
    return waveform


def enqueue(waveform_pk, generation):
    from django_q.tasks import async_task

    async_task(
        "projects.tasks.compute_waveform",
        waveform_pk,
        generation,
        task_name=f"waveform-{waveform_pk}-{generation}",
    )


# --- the task ------------------------------------------------------------------------------------------


def compute(waveform_pk, generation):
    """Compute the peaks for this request (the task). Does nothing if a newer request replaced it or
    another run has it already."""
    claimed = Waveform.objects.filter(pk=waveform_pk, generation=generation, status=Waveform.Status.PENDING)
    if not claimed.update(status=Waveform.Status.RUNNING, updated_at=timezone.now()):
        return None
    waveform = Waveform.objects.select_related("project", "submission").get(pk=waveform_pk)
    try:
        with tempfile.TemporaryDirectory(prefix="dubweb-waveform-") as scratch:
            media = _local_media(waveform, Path(scratch))
            with open(Path(scratch) / "peaks.dat", "w+b") as out:
                peaks = waveform_peaks.compute(media, out, timeout_s=settings.WAVEFORM_MAX_S)
                out.seek(0)
                name = default_storage.save(_file_name(waveform, generation), File(out))
                out.seek(0)
                # Gzipped once here rather than on every request (over 100 ms for a film on a busy core).
                default_storage.save(gzipped_name(name), ContentFile(gzip.compress(out.read(), 6, mtime=0)))
    except (waveform_peaks.PeaksError, SourceUnavailable) as error:
        return _fail(waveform, generation, str(error))
    except Exception:
        logger.exception("waveform %s: computing failed", waveform_pk)
        return _fail(waveform, generation, "Computing the waveform failed unexpectedly; try again.")
    finished = Waveform.objects.filter(pk=waveform_pk, generation=generation).update(
        status=Waveform.Status.READY,
        error_message="",
        peaks_file=name,
        duration_ms=peaks.duration_ms,
        sample_rate=peaks.source_sample_rate,
        updated_at=timezone.now(),
    )
    if not finished:  # a newer request came while this ran: its own task writes the result
        delete_files(name)
        return None
    if waveform.peaks_file and waveform.peaks_file.name != name:
        delete_files(waveform.peaks_file.name)  # the previous peaks, now replaced
    logger.info("waveform %s: %d peaks from %s", waveform_pk, peaks.pixels, waveform.source_url)
    return Waveform.objects.get(pk=waveform_pk)


def _fail(waveform, generation, message):
    Waveform.objects.filter(pk=waveform.pk, generation=generation).update(
        status=Waveform.Status.FAILED, error_message=message, updated_at=timezone.now()
    )
    logger.info("waveform %s: %s", waveform.pk, message)
    return None


def gzipped_name(name):
    return f"{name}.gz"


def delete_files(name):
    default_storage.delete(name)
    default_storage.delete(gzipped_name(name))


def _file_name(waveform, generation):
    owner = f"job-{waveform.submission_id}-{waveform.track}" if waveform.submission_id else waveform.track
    return waveform.peaks_file.field.generate_filename(waveform, f"{owner}-{generation}.dat")


# --- where the audio comes from ------------------------------------------------------------------------


def _local_media(waveform, scratch):
    """A local path to the media the waveform is computed from."""
    if waveform.submission_id:
        return _stored_copy(waveform.source_url, scratch)
    url = waveform.source_url
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    if url.startswith(static_prefix):
        return _static_file(unquote(urlsplit(url).path[len(static_prefix) :]))
    if urlsplit(url).scheme.lower() in ("http", "https"):
        return _download(url, scratch / "source")
    raise SourceUnavailable(
        f"Only http(s) addresses and files under {static_prefix} can be read for a waveform."
    )


def _static_file(relative):
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        found = None
    if not found and settings.STATIC_ROOT:
        candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
        if candidate.is_relative_to(Path(settings.STATIC_ROOT).resolve()) and candidate.is_file():
            found = str(candidate)
    if not found:
        raise SourceUnavailable("The video file was not found among this site's static files.")
    return found


def _stored_copy(name, scratch):
    try:
        return default_storage.path(name)
    except NotImplementedError:  # a remote storage: copy it to a local file for ffmpeg
        target = scratch / "output"
        with default_storage.open(name, "rb") as source, open(target, "wb") as copy:
            shutil.copyfileobj(source, copy, CHUNK_BYTES)
        return target
    except (OSError, SuspiciousFileOperation):
        raise SourceUnavailable("The kept copy of this output is missing from storage.") from None


def _download(url, target):
    """Stream `url` into `target` under the guarded fetcher's rules and the size limit."""
    max_bytes = settings.WAVEFORM_SOURCE_MAX_BYTES
    policy = guarded_fetch.FetchPolicy(
        connect_timeout_s=settings.PROVIDER_CONNECT_TIMEOUT_S,
        read_timeout_s=settings.PROVIDER_READ_TIMEOUT_S,
        total_timeout_s=settings.OUTPUT_FETCH_MAX_S,
        allowed_origins=outputs.fetch_exceptions(),
    )
    host = urlsplit(url).hostname or "the video's server"
    too_big = f"The video is larger than dubweb reads for a waveform ({max_bytes / 2**20:g} MB)."
    try:
        with guarded_fetch.get(url, policy) as response, open(target, "wb") as file:
            if response.status_code >= 400:
                raise SourceUnavailable(f"{host} answered {response.status_code} for the video.")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type.startswith("text/") or content_type == "application/json":
                raise SourceUnavailable(
                    f"{host} sent a {content_type} page instead of a video file (give a direct link to the file)."
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise SourceUnavailable(too_big)
            size = 0
            for chunk in response.iter_content(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise SourceUnavailable(too_big)
                file.write(chunk)
    except guarded_fetch.FetchRefused as refused:
        raise SourceUnavailable(f"The video link {refused}; dubweb does not fetch it.") from None
    except guarded_fetch.TooSlow:
        raise SourceUnavailable(
            f"{host} did not send the whole video within {policy.total_timeout_s:g} s."
        ) from None
    except requests.RequestException:
        raise SourceUnavailable(f"{host} could not be reached to fetch the video.") from None
    if size == 0:
        raise SourceUnavailable(f"{host} sent an empty file.")
    return target
