"""dubweb's own copy of a finished job's outputs.

Provider links are not promised to last (ModelsLab's temporary links live 24 h; Dubformer does not say),
so when a job succeeds a task downloads its dubbed video and voice track into the default storage. The
page plays and offers the copy (served with Range support, to project members only); until it is there,
or if it could not be made, the provider's link stands in and the copy can be tried again.
"""

import logging
import mimetypes
import tempfile
from datetime import timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ..models import Submission
from ..providers.downloads import DownloadFailed, download

logger = logging.getLogger("dubweb.submissions")

MEDIA_EXTENSIONS = {".mp4", ".mov", ".webm", ".mkv", ".m4v", ".wav", ".mp3", ".m4a", ".aac", ".ogg", ".flac"}
AUDIO_EXTENSIONS = {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".flac"}
STUCK_AFTER = timedelta(seconds=settings.Q_CLUSTER["retry"])
OUTPUTS = (
    ("video", "output_video_url", "output_video_file"),
    ("audio", "output_audio_url", "output_audio_file"),
)


class OutputError(Exception):
    """The copy cannot be asked for now; the message says why."""


def is_audio_url(url):
    return PurePosixPath(urlsplit(url or "").path).suffix.lower() in AUDIO_EXTENSIONS


def plan_copy(submission):
    """Called as a job succeeds (before it is saved): mark its outputs to be copied after the commit."""
    if not settings.KEEP_PROVIDER_OUTPUTS or not (submission.output_video_url or submission.output_audio_url):
        submission.output_copy = Submission.OutputCopy.NONE
        return
    submission.output_copy = Submission.OutputCopy.PENDING
    submission.output_copy_error = ""
    pk = submission.pk
    transaction.on_commit(lambda: enqueue_copy(pk))


def enqueue_copy(submission_pk):
    from django_q.tasks import async_task

    async_task("projects.tasks.keep_outputs", submission_pk, task_name=f"keep-outputs-{submission_pk}")


def copy_stuck(submission):
    """A copy still pending long after the job ended: its task died (a worker killed mid-download)."""
    return (
        submission.output_copy == Submission.OutputCopy.PENDING
        and timezone.now() - submission.updated_at > STUCK_AFTER
    )


def retry_copy(submission):
    """Try the copy again after it failed (or its task died)."""
    if submission.output_copy != Submission.OutputCopy.FAILED and not copy_stuck(submission):
        raise OutputError("Only a copy that failed can be tried again.")
    claimed = Submission.objects.filter(pk=submission.pk, output_copy=submission.output_copy).update(
        output_copy=Submission.OutputCopy.PENDING, output_copy_error="", updated_at=timezone.now()
    )
    if claimed:
        transaction.on_commit(lambda: enqueue_copy(submission.pk))


def keep(submission_pk):
    """Download the outputs not copied yet into storage (the task). Safe to run twice."""
    submission = Submission.objects.select_related("project").get(pk=submission_pk)
    if submission.output_copy != Submission.OutputCopy.PENDING:
        return submission
    problems = []
    for kind, url_field, file_field in OUTPUTS:
        url, stored = getattr(submission, url_field), getattr(submission, file_field)
        if not url or stored:
            continue
        try:
            _copy(submission, kind, url, stored)
        except DownloadFailed as error:
            problems.append(f"{'Dubbed video' if kind == 'video' else 'Voice track'}: {error}")
    submission.output_copy = Submission.OutputCopy.FAILED if problems else Submission.OutputCopy.KEPT
    submission.output_copy_error = " ".join(problems)
    submission.save(
        update_fields=[
            "output_copy",
            "output_copy_error",
            "output_video_file",
            "output_audio_file",
            "updated_at",
        ]
    )
    if problems:
        logger.info("submission %s: outputs not copied: %s", submission.pk, submission.output_copy_error)
    from . import waveforms  # the dub's waveform is drawn from the copy (waveforms imports this module)

    waveforms.output_kept(submission)
    return submission


def _copy(submission, kind, url, stored):
    with tempfile.TemporaryFile() as scratch:
        fetched = download(
            url,
            scratch,
            max_bytes=settings.OUTPUT_MAX_BYTES,
            connect_timeout_s=settings.PROVIDER_CONNECT_TIMEOUT_S,
            read_timeout_s=settings.PROVIDER_READ_TIMEOUT_S,
            total_timeout_s=settings.OUTPUT_FETCH_MAX_S,
            allowed_origins=fetch_exceptions(),
        )
        scratch.seek(0)
        stored.save(
            f"{submission.pk}-{kind}{_extension(url, fetched.content_type)}", File(scratch), save=False
        )


def fetch_exceptions():
    """Origins a server-side fetch may reach although private: the sandbox, served by dubweb itself at
    SITE_URL (usually 127.0.0.1) or at the providers' base URLs the operator set (an instance of its own),
    and only while it is on."""
    if not settings.PROVIDER_SANDBOX:
        return ()
    return (settings.SITE_URL, settings.DUBFORMER_BASE_URL, settings.MODELSLAB_BASE_URL)


def _extension(url, content_type):
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in MEDIA_EXTENSIONS:
        return suffix
    return mimetypes.guess_extension(content_type or "") or ".bin"


def content_type_of(name):
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
