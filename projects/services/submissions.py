"""Provider actions as Submissions: queued by a request, sent by a worker, followed until they end.

The queue never retries (see settings.Q_CLUSTER): every step here is idempotent and keeps its state on
the Submission row. Sending happens once: a submission is claimed (QUEUED → SENDING) in a transaction
before the network call, so a second worker, or the same task run again after a crash, finds it
claimed. A Dubformer call interrupted by a crash is safe to send again (the Idempotency-Key is the
submission's own); a ModelsLab one is not (no such header), so it is failed with a message instead.
Following a provider job is not a sleeping worker: `next_check_at` says when to look again, and a
periodic task (`check_due`) looks.
"""

import json
import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .. import languages
from ..models import ProviderCredential, ScriptEdit, Submission
from ..providers.dubformer import DubformerClient
from ..providers.http import (
    InvalidRequest,
    MalformedResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    mask_payload,
)
from ..providers.modelslab import ModelsLabClient, webhook_track_id
from ..wording import counted
from . import changes, notifications, outputs, payloads, project_review, scripts
from .job_states import transition
from .script_formats import Script, ScriptSegment, ScriptSpeaker

logger = logging.getLogger("dubweb.submissions")

FIRST_CHECK_S = 5
MAX_CHECK_INTERVAL_S = 300
GIVE_UP_AFTER = timedelta(hours=24)
RESEND_AFTER_S = 60  # a provider that stays busy through the client's retries is asked again this much later
# While following, an answer dubweb cannot read (not JSON, cut short) is taken for a passing fault, like a
# 503: looked at again later, with backoff; this many in a row and dubweb stops following (a webhook or
# "Check again" still takes a late result).
MALFORMED_IN_A_ROW = 5
# What is kept of each answer: all of it (keys masked) up to this size; and how many answers a job keeps
# (its first, usually the create's with the cost, and the latest ones).
ANSWER_MAX_BYTES = 64 * 1024
ANSWERS_KEPT = 30
# How long a re-translation waits for Get Project to stop showing the previous result (see _shows_old_result).
OLD_RESULT_PATIENCE = timedelta(minutes=30)


class SubmissionError(Exception):
    """The action cannot be queued as asked; the message says why."""


class NotApproved(SubmissionError):
    """The review gate: some segments are not approved, and nobody allowed to confirmed sending anyway."""

    def __init__(self, count):
        self.count = count
        super().__init__(
            f"{counted(count, 'segment')} {'is' if count == 1 else 'are'} not approved. Approve "
            f"{'it' if count == 1 else 'them'} first, or a manager or owner can tick “Send anyway”."
        )


# What the review gate guards: the actions that make a dub from the script (and cost money).
GATED = (Submission.Kind.RETRANSLATE, Submission.Kind.NEW_DUB)


# --- clients ---------------------------------------------------------------------------------------------


def provider_key(team_id, provider):
    """The team's own key for the provider if it entered one, else the one from the environment."""
    credential = ProviderCredential.objects.filter(team_id=team_id, provider=provider).first()
    if credential is not None:
        return credential.key()
    return (
        settings.DUBFORMER_API_KEY
        if provider == Submission.Provider.DUBFORMER
        else settings.MODELSLAB_API_KEY
    )


def dubformer_client(team_id=None, **options):
    return _client(
        DubformerClient, settings.DUBFORMER_BASE_URL, Submission.Provider.DUBFORMER, team_id, **options
    )


def modelslab_client(team_id=None, **options):
    return _client(
        ModelsLabClient, settings.MODELSLAB_BASE_URL, Submission.Provider.MODELSLAB, team_id, **options
    )


def _client(client_class, base_url, provider, team_id, **options):
    """A provider client with the team's key and the configured timeouts (`options` may override them)."""
    options = {
        "connect_timeout_s": settings.PROVIDER_CONNECT_TIMEOUT_S,
        "read_timeout_s": settings.PROVIDER_READ_TIMEOUT_S,
        **options,
    }
    return client_class(base_url, provider_key(team_id, provider), **options)


def _uses_sandbox(provider):
    base = (
        settings.DUBFORMER_BASE_URL
        if provider == Submission.Provider.DUBFORMER
        else settings.MODELSLAB_BASE_URL
    )
    return settings.PROVIDER_SANDBOX and "/sandbox/" in base


# --- queueing (in the request) -----------------------------------------------------------------------------

PROVIDER_OF = {
    Submission.Kind.CREATE_PROJECT: Submission.Provider.DUBFORMER,
    Submission.Kind.RETRANSLATE: Submission.Provider.DUBFORMER,
    Submission.Kind.IMPORT: Submission.Provider.DUBFORMER,
    Submission.Kind.NEW_DUB: Submission.Provider.MODELSLAB,
}


def linked_elsewhere(team_id, dubformer_project_id):
    """Whether another team's project is linked to this Dubformer project: teams without a key of their
    own share one Dubformer account, so its ids alone must not open another team's work."""
    from ..models import Project

    return (
        Project.objects.filter(dubformer_project_id=str(dubformer_project_id))
        .exclude(team_id=team_id)
        .exists()
    )


def queue(project, kind, *, options=None, by=None, enqueue=True, override_by=None):
    """A new Submission for `kind`, checked for what can be checked now, and its task queued on commit.

    A re-translation or a dub is queued when every segment is approved; otherwise only with `override_by`,
    the person (a manager or owner: the caller checks access's "override_review") who confirmed sending
    anyway, recorded on the job and in the activity. Raises NotApproved without it."""
    options = dict(options or {})
    wanted = options.get("dubformer_project_id")
    if kind == Submission.Kind.IMPORT and wanted and linked_elsewhere(project.team_id, wanted):
        raise SubmissionError(
            "That Dubformer project belongs to another team's project; it cannot be imported here."
        )
    if (
        kind == Submission.Kind.CREATE_PROJECT
        and project.dubformer_project_id
        and not options.get("create_again")
    ):
        raise SubmissionError(
            f"This project is already on Dubformer (#{project.dubformer_project_id}). To make a new Dubformer "
            'project anyway (charged again), tick "Make a new one anyway".'
        )
    if kind in (Submission.Kind.RETRANSLATE,) and not project.dubformer_project_id:
        raise SubmissionError(
            "Create the project on Dubformer (or import it) before pushing a re-translation."
        )
    if kind == Submission.Kind.IMPORT and not (
        options.get("dubformer_project_id") or project.dubformer_project_id
    ):
        raise SubmissionError("Give the Dubformer project id to import.")
    if kind == Submission.Kind.NEW_DUB and not languages.modelslab_dubs_into(project.target_language):
        raise SubmissionError(
            f"ModelsLab cannot dub into {project.target_language_name}: it dubs only into "
            f"{', '.join(languages.modelslab_output_names())}."
        )
    running = project.submissions.filter(kind=kind).exclude(status__in=Submission.FINISHED)
    if kind != Submission.Kind.NEW_DUB and running.exists():
        raise SubmissionError("The same action is already under way for this project; wait for it to end.")
    unapproved = project_review.unapproved(project) if kind in GATED else 0
    if unapproved and override_by is None:
        raise NotApproved(unapproved)
    latest_edit = (
        ScriptEdit.objects.filter(project=project).order_by("-id").values_list("id", flat=True).first()
    )
    submission = Submission.objects.create(
        project=project,
        provider=PROVIDER_OF[kind],
        kind=kind,
        options=options,
        created_by=by,
        script_edit_id=latest_edit,
        sandbox=_uses_sandbox(PROVIDER_OF[kind]),
        override_by=override_by if unapproved else None,
        override_unapproved=unapproved or None,
    )
    changes.event(project, by, "submission", f"Asked for: {submission.get_kind_display()}")
    if unapproved:
        changes.event(
            project, override_by, "review",
            f"Sent anyway ({submission.get_kind_display()}) with {counted(unapproved, 'segment')} not approved",
        )  # fmt: skip
    if enqueue:
        transaction.on_commit(lambda: enqueue_send(submission.pk))
    return submission


def enqueue_send(submission_pk):
    """Queue the send. A broker that does not answer (Redis restarting) is no error for the person who
    asked: the job is saved as queued, and the periodic task takes it up (see _take_up_lost)."""
    from django_q.tasks import async_task

    try:
        async_task(
            "projects.tasks.send_submission", submission_pk, task_name=f"send-submission-{submission_pk}"
        )
    except Exception as error:  # noqa: BLE001 (any broker failure: redis, a closed connection)
        logger.warning("submission %s: could not queue its send (%s); it is taken up later",
                       submission_pk, type(error).__name__)  # fmt: skip


def _task_lifetime():
    """How long a worker's task may run before django-q2 stops it (plus a margin): a job still being
    sent after that has lost its worker."""
    return timedelta(seconds=settings.Q_CLUSTER.get("timeout", 900) + 10)


def _lost(now):
    """Jobs whose task was lost: one still queued, with no time planned, JOB_REQUEUE_AFTER_S after it was
    asked for (its task was in a broker that restarted, or could not be queued); one still "sending"
    longer than a task may run (its worker was killed). A second send is safe: _claim takes a queued job
    once, sends a Dubformer one again with the same Idempotency-Key, and fails a ModelsLab one with a
    message rather than risk a second dub. The Redis broker never hands a task out again by itself (the
    database broker does, after Q_CLUSTER's retry). Lost jobs have no check planned: a planned one is
    taken up as due."""
    return Q(next_check_at__isnull=True) & (
        Q(
            status=Submission.Status.QUEUED,
            created_at__lte=now - timedelta(seconds=settings.JOB_REQUEUE_AFTER_S),
        )
        | Q(status=Submission.Status.SENDING, updated_at__lte=now - _task_lifetime())
    )


def _take_up_lost(jobs, now):
    """Make the lost jobs among `jobs` due now, for the caller to send."""
    pks = list(jobs.filter(_lost(now)).values_list("pk", flat=True)[:50])
    if pks:
        logger.warning("submissions %s: their task was lost; taken up again", pks)
        Submission.objects.filter(pk__in=pks).filter(_lost(now)).update(next_check_at=now)


# --- sending (in the worker) -------------------------------------------------------------------------------


def _claim(submission_pk):
    """QUEUED → SENDING, once. Returns the submission, or None if it is not this run's to send."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().select_related("project").get(pk=submission_pk)
        interrupted = submission.status == Submission.Status.SENDING
        if interrupted and submission.updated_at > timezone.now() - _task_lifetime():
            return None  # claimed moments ago: another run is sending it now
        # A run that died mid-send: Dubformer dedupes by our Idempotency-Key, so sending again is safe;
        # ModelsLab cannot, so that one is failed with a message rather than risk a second dub.
        if interrupted and submission.provider != Submission.Provider.DUBFORMER:
            _fail(submission, "The request was interrupted while it was being sent, and ModelsLab cannot tell "
                              "whether it arrived. Check your ModelsLab account before retrying.")  # fmt: skip
            return None
        if not interrupted and submission.status != Submission.Status.QUEUED:
            return None
        claimed = transition(
            submission,
            Submission.Status.SENDING,
            attempts=submission.attempts + 1,
            sent_at=submission.sent_at or timezone.now(),
            next_check_at=None,
        )
    return submission if claimed else None


def send(submission_pk):
    submission = _claim(submission_pk)
    if submission is None:
        return
    try:
        if submission.provider == Submission.Provider.DUBFORMER:
            _send_dubformer(submission)
        else:
            _send_modelslab(submission)
    except InvalidRequest as invalid:
        _fail(submission, "Not sent: " + "; ".join(invalid.problems))
    except RateLimited as busy:
        # Refused before it was taken (a full queue, a rate limit): safe to send again, later.
        _record_response(submission, busy.status, busy.body)
        _send_again_later(submission, busy)
    except ProviderError as error:
        _record_response(submission, error.status, error.body)
        _fail(submission, error.message)
    except Exception as error:  # noqa: BLE001 (a job must never hang in "Sending")
        # Only the error's kind is logged: its text may quote a header, and so a key.
        logger.error("submission %s: unexpected %s while sending", submission.pk, type(error).__name__)
        _fail(submission, "dubweb could not send this because of an unexpected error (logged). Retry, or ask "
                          "your administrator if it happens again.")  # fmt: skip


def _send_again_later(submission, busy):
    if timezone.now() - submission.created_at > GIVE_UP_AFTER:
        _fail(submission, f"{busy.message} dubweb tried for 24 hours and stopped.")
        return
    wait_s = min(MAX_CHECK_INTERVAL_S, max(RESEND_AFTER_S, busy.retry_after_s or 0))
    if not _move(
        submission,
        Submission.Status.QUEUED,
        next_check_at=timezone.now() + timedelta(seconds=wait_s),
        error_message="",
    ):
        return
    logger.info("submission %s: provider busy, sending again in %ss", submission.pk, wait_s)


def _site_url():
    return settings.SITE_URL


def _send_dubformer(submission):
    project = submission.project
    options = submission.options
    key = str(submission.idempotency_key)
    if submission.kind == Submission.Kind.IMPORT:
        project_id = options.get("dubformer_project_id") or project.dubformer_project_id
        submission.provider_job_id = str(project_id)
        _wait_for_provider(submission, first_check_s=0)
        return
    if submission.kind == Submission.Kind.CREATE_PROJECT:
        request = payloads.create_project_request(
            project,
            site_url=_site_url(),
            mixing_mode=options.get("mixing_mode") or None,
            use_soundalike_voices=options.get("use_soundalike_voices"),
            use_emotional_transfer=options.get("use_emotional_transfer"),
        )
        submission.request = request.to_json()
        with dubformer_client(project.team_id) as client:
            accepted = client.create_project(request, idempotency_key=key)
        project.dubformer_project_id = accepted.project_id
        project.save(update_fields=["dubformer_project_id", "updated_at"])
    else:
        rows = payloads.retranslation_rows(project)
        request = payloads.retranslation_request(
            project,
            mixing_mode=options.get("mixing_mode") or None,
            use_fixed_timings=options.get("use_fixed_timings"),
            tts_volume=options.get("tts_volume") or None,
            rows=rows,
        )
        submission.request = request.to_json()
        # What was sent, per segment, for the next push form's "changed since the last push" (push_diff.py).
        # A field of its own, written once: not with every status change, as the request is.
        submission.script_snapshot = payloads.script_snapshot(rows)
        Submission.objects.filter(pk=submission.pk).update(script_snapshot=submission.script_snapshot)
        with dubformer_client(project.team_id) as client:
            accepted = client.create_retranslation(project.dubformer_project_id, request, idempotency_key=key)
    submission.provider_job_id = accepted.project_id
    submission.cost_minutes = accepted.cost_minutes
    submission.balance_minutes = accepted.balance_minutes
    submission.estimated_completion = accepted.estimated_completion
    _record_response(submission, 200, accepted.raw)
    _wait_for_provider(submission)


def _send_modelslab(submission):
    options = submission.options
    request = payloads.dubbing_request(
        submission.project,
        site_url=_site_url(),
        voice_id=options.get("voice_id"),
        voice_model=options.get("voice_model"),
        speed=options.get("speed"),
        seed=options.get("seed"),
        webhook=_modelslab_webhook(submission),
        track_id=submission.pk,
    )
    with modelslab_client(submission.project.team_id) as client:
        submission.request = mask_payload(request.to_json(client.api_key), [client.api_key])
        result = client.create_dubbing(request)
    _apply_modelslab(submission, result)


def _modelslab_webhook(submission):
    """Where ModelsLab should call when the dub ends, if it can: it wants a public HTTPS URL (providers.md
    §2.5), and the sandbox calls the site that serves it. Without one the job is followed by polling alone."""
    url = _site_url() + reverse("projects:modelslab-webhook", args=[submission.webhook_token])
    if url.startswith("https://") or _origin(url) == _origin(settings.MODELSLAB_BASE_URL):
        return url
    return None


def _origin(url):
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _apply_modelslab(submission, result):
    submission.provider_job_id = result.id or submission.provider_job_id
    submission.fetch_url = result.fetch_url or submission.fetch_url
    _record_response(submission, 200, result.raw)
    if result.status == "success":
        output = (result.output_urls or [""])[0]
        if not output:
            _fail(submission, "ModelsLab says the dub is done but gave no file to download.")
        elif outputs.is_audio_url(output):
            _succeed(submission, audio=output)  # a voice track only (a base64 or audio-only source)
        else:
            _succeed(submission, video=output)
    elif result.status == "failed":
        _fail(submission, result.message or "ModelsLab could not make this dub.")
    elif submission.status == Submission.Status.SENDING:  # the create's answer: first look at its eta
        _wait_for_provider(
            submission, first_check_s=max(FIRST_CHECK_S, min(result.eta_s or 0, MAX_CHECK_INTERVAL_S))
        )
    else:
        eta_s = result.eta_s and max(FIRST_CHECK_S, min(result.eta_s, MAX_CHECK_INTERVAL_S))
        _plan_next_check(submission, eta_s or None)


# --- following ---------------------------------------------------------------------------------------------


def check_due(now=None):
    """Look at every submission whose provider job is due a check, and send again those a busy provider
    turned away and those whose task was lost (the periodic task)."""
    now = now or timezone.now()
    due = Submission.objects.filter(status=Submission.Status.WAITING, next_check_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due[:50]):
        check(pk)
    _take_up_lost(Submission.objects.all(), now)
    turned_away = Submission.objects.filter(
        status__in=[Submission.Status.QUEUED, Submission.Status.SENDING], next_check_at__lte=now
    )
    for pk in list(turned_away.values_list("pk", flat=True)[:50]):
        send(pk)


def nudge_due(project):
    """Someone is watching the project's jobs: queue a check of those due one now, instead of waiting for
    the periodic task (django-q2's scheduler looks only every 30-60 s). Claims each by moving its next
    check on, so that repeated polls queue one check, not one per poll."""
    from django_q.tasks import async_task

    now = timezone.now()
    # One read per poll: the jobs due a look and those whose task was lost (taken up here too).
    due = Q(
        status__in=[Submission.Status.WAITING, Submission.Status.QUEUED, Submission.Status.SENDING],
        next_check_at__lte=now,
    )
    found = project.submissions.filter(due | _lost(now)).values_list("pk", "status", "next_check_at")
    for pk, status, next_check_at in list(found[:10]):
        if next_check_at is None:
            logger.warning("submission %s: its task was lost; taken up again", pk)
        # The claim: repeated polls queue one check, not one per poll.
        claimed = (
            Submission.objects.filter(pk=pk)
            .filter(Q(next_check_at__lte=now) | _lost(now))
            .update(next_check_at=now + timedelta(seconds=30))
        )
        if claimed and status == Submission.Status.WAITING:
            async_task("projects.tasks.check_submission", pk, task_name=f"check-submission-{pk}")
        elif claimed:
            enqueue_send(pk)


def check(submission_pk):
    """Ask the provider where the job stands, once, and plan the next look if it is still running."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("project")
            .defer("script_snapshot")
            .get(pk=submission_pk)
        )
        if submission.status != Submission.Status.WAITING:
            return submission
        # Claim this check: a parallel checker skips it until the next planned time.
        submission.next_check_at = timezone.now() + timedelta(seconds=MAX_CHECK_INTERVAL_S)
        Submission.objects.filter(pk=submission.pk).update(next_check_at=submission.next_check_at)
    try:
        if submission.provider == Submission.Provider.DUBFORMER:
            _check_dubformer(submission)
        else:
            with modelslab_client(submission.project.team_id) as client:
                result = client.fetch(submission.provider_job_id, fetch_url=submission.fetch_url or None)
            _apply_modelslab(submission, result)
    except RateLimited as busy:
        _record_response(submission, busy.status, busy.body)
        _plan_next_check(submission, busy.retry_after_s)
    except ProviderUnavailable as error:
        _record_response(submission, error.status, error.body)
        _plan_next_check(submission)  # the provider is down for now: look again later
    except MalformedResponse as garbage:
        _record_response(submission, garbage.status, garbage.body, malformed=True)
        _after_malformed(submission, garbage)
    except ProviderError as error:
        _record_response(submission, error.status, error.body)
        _fail(submission, error.message)
    except InvalidRequest as invalid:
        _fail(submission, "Cannot follow this job: " + "; ".join(invalid.problems))
    except DatabaseError as error:  # the database went away mid-check (a restart, a dropped connection)
        logger.error("submission %s: database %s while checking; looking again soon", submission.pk,
                     type(error).__name__)  # fmt: skip
        _look_again_soon(submission)
    except Exception as error:  # noqa: BLE001 (logged; the next planned check tries again, up to 24 hours)
        logger.error("submission %s: unexpected %s while checking", submission.pk, type(error).__name__)
    return submission


def _look_again_soon(submission):
    """A passing database fault is no reason to wait the claim's MAX_CHECK_INTERVAL_S: the next check is
    FIRST_CHECK_S away, on a fresh connection (if the database is still away, the claim's time stands)."""
    if not connection.in_atomic_block:  # (a worker's task never is; a test is)
        connection.close()
    try:
        Submission.objects.filter(pk=submission.pk, status=Submission.Status.WAITING).update(
            next_check_at=timezone.now() + timedelta(seconds=FIRST_CHECK_S)
        )
    except DatabaseError:
        logger.error("submission %s: the database is still away; the next check is as planned", submission.pk)


def _after_malformed(submission, garbage):
    """A passing fault while following (a proxy's page, a body cut short): look again later, backing off;
    after MALFORMED_IN_A_ROW in a row, stop following with a message that says the job may still end well."""
    in_a_row = _malformed_in_a_row(submission)
    if in_a_row < MALFORMED_IN_A_ROW:
        _plan_next_check(submission, min(MAX_CHECK_INTERVAL_S, FIRST_CHECK_S * 2**in_a_row))
        return
    provider = submission.get_provider_display()
    _fail(
        submission,
        f"{provider} answered {in_a_row} times in a row with something dubweb cannot read "
        f"({garbage.message.rstrip('.')}) "
        f"and dubweb stopped following this job. It may still finish at {provider}: its webhook, or "
        '"Check again", picks the result up (Retry would start a new, paid job).',
    )


def _malformed_in_a_row(submission):
    count = 0
    for entry in reversed(submission.responses):
        if not (isinstance(entry, dict) and entry.get("malformed")):
            break
        count += 1
    return count


def _check_dubformer(submission):
    with dubformer_client(submission.project.team_id) as client:
        project = client.get_project(submission.provider_job_id)
    _record_response(submission, 200, project.raw)
    if project.status == "in_progress":
        submission.estimated_completion = project.estimated_completion or submission.estimated_completion
        _plan_next_check(submission)
    elif project.status == "error":
        _fail(submission, project.error_message or "Dubformer could not finish this project.")
    elif _shows_old_result(submission, project):
        _plan_next_check(submission)
    else:
        if submission.kind == Submission.Kind.IMPORT:
            _import_scripts(submission, project)
        _succeed(submission, video=project.output_video_url or "", audio=project.output_tts_audio_url or "")


def _shows_old_result(submission, remote):
    """Whether a `ready` answered after a re-translation is still the previous translation's: Dubformer
    does not say whether a project goes back to `in_progress` (providers.md §1.4), so a `ready` completed
    before the push was sent is not this job's result. Believed anyway once the job was seen in progress,
    or well past its expected end (the two clocks may disagree)."""
    if (
        submission.kind != Submission.Kind.RETRANSLATE
        or remote.completion is None
        or submission.sent_at is None
    ):
        return False
    if remote.completion >= submission.sent_at.replace(microsecond=0):  # Dubformer's dates are to the second
        return False
    seen = [entry.get("body") for entry in submission.responses]
    if any(isinstance(body, dict) and body.get("status") == "in_progress" for body in seen):
        return False
    expected_end = max(submission.estimated_completion or submission.sent_at, submission.sent_at)
    return timezone.now() < expected_end + OLD_RESULT_PATIENCE


def _import_scripts(submission, remote):
    """Dubformer's source and target scripts paired by timing, with its speakers, replacing the script
    (the old one is kept as a backup)."""
    target = {(line.start_ms, line.end_ms): line for line in remote.target_script}
    segments = {}
    for line in remote.source_script:
        segments[(line.start_ms, line.end_ms)] = ScriptSegment(line.start_ms, line.end_ms, source_text=line.text,
                                                               speaker_id=line.speaker_id)  # fmt: skip
    for key, line in target.items():
        segment = segments.setdefault(
            key, ScriptSegment(line.start_ms, line.end_ms, speaker_id=line.speaker_id)
        )
        segment.target_text = line.text
        segment.speaker_id = line.speaker_id
    script = Script(
        segments=sorted(segments.values(), key=lambda s: (s.start_ms, s.end_ms)),
        speakers=[ScriptSpeaker(s.speaker_id, style=s.style, voice_key=s.voice_key) for s in remote.speakers],
        speaker_match="id",
    )
    project = submission.project
    with transaction.atomic():
        scripts.replace_script(
            project, script, by=submission.created_by, reason="Before importing from Dubformer"
        )
        if not project.dubformer_project_id:
            project.dubformer_project_id = submission.provider_job_id
            project.save(update_fields=["dubformer_project_id", "updated_at"])


# --- state changes: every status change goes through job_states.transition ------------------------------

# What the worker learns along the way, written with each status change (never the whole row).
RECORD_FIELDS = (
    "request",
    "responses",
    "provider_job_id",
    "fetch_url",
    "cost_minutes",
    "balance_minutes",
    "estimated_completion",
)


def _move(submission, to, **fields):
    """transition() with what the worker learnt; when the job moved on meanwhile (stopped, ended by
    another check), its answers are still kept, and the other change stands."""
    if transition(submission, to, **{name: getattr(submission, name) for name in RECORD_FIELDS}, **fields):
        submission.new_answers = []
        return True
    _keep_answers(submission)
    logger.info("submission %s: not moved to %s, it is %s now", submission.pk, to, submission.status)
    return False


def _keep_answers(submission):
    new = getattr(submission, "new_answers", [])
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        fields = {"responses": _bounded_log([*current.responses, *new])} if new else {}
        for name in ("provider_job_id", "fetch_url", "request"):  # e.g. a job stopped while it was sent
            if not getattr(current, name) and getattr(submission, name):
                fields[name] = getattr(submission, name)
        if fields:
            Submission.objects.filter(pk=submission.pk).update(**fields)
    submission.new_answers = []
    submission.refresh_from_db()


def _record_response(submission, status, body, *, malformed=False, note=""):
    """Keep the provider's whole answer (already masked by the client), bounded in size."""
    entry = {"at": timezone.now().isoformat(), "status": status, "body": _storable(body)}
    if malformed:
        entry["malformed"] = True
    if note:
        entry["note"] = note
    submission.responses = _bounded_log([*submission.responses, entry])
    submission.new_answers = [*getattr(submission, "new_answers", []), entry]


def _bounded_log(entries):
    if len(entries) <= ANSWERS_KEPT:
        return entries
    return [entries[0], *entries[-(ANSWERS_KEPT - 1) :]]


def _storable(body):
    """`body` as a database can store it: over ANSWER_MAX_BYTES, or not valid JSON (NaN, a NUL that
    PostgreSQL refuses), it becomes its JSON text, cut, with a note."""
    try:
        text = json.dumps(body, ensure_ascii=False, allow_nan=False)
        as_is = "\\u0000" not in text
    except (TypeError, ValueError, RecursionError):
        text, as_is = json.dumps(body, ensure_ascii=False, default=str), False
    text = text.replace("\\u0000", "\\ufffd")
    size = len(text.encode())
    if size <= ANSWER_MAX_BYTES:
        return body if as_is else {"as_text": text}
    return {
        "truncated": f"The answer was {size // 1024} KB; its first {ANSWER_MAX_BYTES // 1024} KB are kept.",
        "as_text": text.encode()[:ANSWER_MAX_BYTES].decode(errors="ignore"),
    }


def _wait_for_provider(submission, *, first_check_s=FIRST_CHECK_S):
    _move(
        submission,
        Submission.Status.WAITING,
        next_check_at=timezone.now() + timedelta(seconds=first_check_s),
    )


def _plan_next_check(submission, after_s=None):
    if timezone.now() - submission.created_at > GIVE_UP_AFTER:
        _fail(submission, "The provider has not finished after 24 hours; dubweb stopped following this job. If it "
                          'finishes later, its webhook or "Check again" takes the result.')  # fmt: skip
        return
    if after_s is None:
        checks = len(submission.responses)
        after_s = min(MAX_CHECK_INTERVAL_S, FIRST_CHECK_S * 2 ** min(checks, 6))
        if submission.estimated_completion:
            until_estimate = (submission.estimated_completion - timezone.now()).total_seconds()
            if until_estimate > after_s:
                after_s = min(until_estimate, MAX_CHECK_INTERVAL_S)
    _move(submission, Submission.Status.WAITING, next_check_at=timezone.now() + timedelta(seconds=after_s))


def _succeed(submission, *, video="", audio=""):
    with transaction.atomic():  # the copy's task is queued once this is committed
        if not _move(
            submission,
            Submission.Status.SUCCEEDED,
            output_video_url=video[:1000],
            output_audio_url=audio[:1000],
            finished_at=timezone.now(),
            next_check_at=None,
            error_message="",
        ):
            return
        notifications.job_ended(submission)
        outputs.plan_copy(submission)
        Submission.objects.filter(pk=submission.pk).update(
            output_copy=submission.output_copy, output_copy_error=submission.output_copy_error
        )
        message = f"{submission.get_kind_display()} finished"
        if followed_again(submission):
            message += " after dubweb had stopped following it"
        changes.event(submission.project, submission.created_by, "submission", message)


def _fail(submission, message):
    if _move(
        submission,
        Submission.Status.FAILED,
        error_message=message,
        finished_at=timezone.now(),
        next_check_at=None,
    ):
        logger.info("submission %s failed: %s", submission.pk, message)
        notifications.job_ended(submission)


FOLLOWED_AGAIN = "followed again"


def followed_again(submission):
    """Whether this job had failed while it was followed and was then followed again (and so a success
    came late)."""
    return any(isinstance(entry, dict) and entry.get("note", "").startswith(FOLLOWED_AGAIN)
               for entry in submission.responses)  # fmt: skip


def can_follow_again(submission):
    """A job that failed after the provider took it may still be finishing there."""
    return submission.status == Submission.Status.FAILED and bool(submission.provider_job_id)


def follow_again(submission, *, why):
    """Failed → waiting for a job the provider took, and a check now: a late success is then taken.
    Returns whether it was done (False when the job is not such a job, or moved on meanwhile)."""
    if not can_follow_again(submission):
        return False
    _record_response(
        submission, None, None, note=f"{FOLLOWED_AGAIN} ({why}); it had failed: {submission.error_message}"
    )
    if not transition(
        submission,
        Submission.Status.WAITING,
        responses=submission.responses,
        next_check_at=timezone.now(),
        finished_at=None,
        error_message="",
    ):
        submission.refresh_from_db()
        return False
    submission.new_answers = []
    pk = submission.pk
    transaction.on_commit(lambda: _enqueue_check(pk))
    return True


def _enqueue_check(submission_pk):
    from django_q.tasks import async_task

    async_task(
        "projects.tasks.check_submission", submission_pk, task_name=f"check-submission-{submission_pk}"
    )


def cancel(submission, *, by):
    """Stop following a job (the provider may still finish it; dubweb no longer looks)."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.finished:
            raise SubmissionError("This job has already ended.")
        transition(submission, Submission.Status.CANCELLED, finished_at=timezone.now(), next_check_at=None)
    changes.event(submission.project, by, "submission", f"Cancelled: {submission.get_kind_display()}")
    return submission


def check_again(submission, *, by):
    """A person asks to follow a job that failed while it was followed ("Check again")."""
    if not can_follow_again(submission):
        raise SubmissionError("Only a job the provider had taken, and that failed, can be checked again.")
    with transaction.atomic():
        if not follow_again(submission, why=f"Check again by {by.get_username()}"):
            raise SubmissionError("This job has changed meanwhile; look at it again.")
    return submission


def retry(submission, *, by):
    """A new submission with the same options (the failed one stays, for the record)."""
    if submission.status not in (Submission.Status.FAILED, Submission.Status.CANCELLED):
        raise SubmissionError("Only a failed or cancelled job can be retried.")
    try:
        return queue(submission.project, submission.kind, options=submission.options, by=by)
    except NotApproved as gate:  # a retry carries no override: the form's "Send anyway" is where one is given
        noun = "segment is" if gate.count == 1 else "segments are"
        raise SubmissionError(
            f"{gate.count} {noun} not approved now: approve them, or send it from the form above, where a "
            "manager or owner can tick “Send anyway”."
        ) from None


def webhook_received(token, body):
    """A ModelsLab webhook: find the submission by its token (and track_id), then confirm by a fetch
    before trusting it. Repeated deliveries change nothing once the job has ended well or was stopped; a
    job that failed while followed is followed again (see follow_again)."""
    submission = Submission.objects.filter(
        webhook_token=token, provider=Submission.Provider.MODELSLAB
    ).first()
    if submission is None:
        return None
    track_id = webhook_track_id(body)
    if track_id is not None and track_id != str(submission.pk):
        return None
    if submission.status == Submission.Status.WAITING:
        Submission.objects.filter(pk=submission.pk).update(next_check_at=timezone.now())
        _enqueue_check(submission.pk)
    elif can_follow_again(submission) and str(body.get("status", "")).strip().lower() == "success":
        # dubweb had stopped following (answers it could not read, 24 hours…): the dub may have finished
        # after all. The check that follows confirms it before anything is taken.
        with transaction.atomic():
            follow_again(submission, why="ModelsLab's webhook")
    return submission
