"""ModelsLab webhook deliveries from the sandbox (providers.md 2.5).

`deliver_due_webhooks()` is called by the app's scheduler, never from a request handler. It POSTs the
documented payload once to every finished job that asked for a webhook, twice when the job is flagged
`webhook_duplicate` ("Webhooks may be sent multiple times"). Like ModelsLab's generation webhooks it is best
effort: a delivery that fails is recorded and not retried (clients fall back to fetch). It POSTs only to
dubweb's own ModelsLab webhook endpoint, never to an address a stranger named.
"""

import logging

import requests
from django.db.models import Q
from django.utils import timezone

from .models import ModelsLabJob
from .views import is_own_webhook, output_url

log = logging.getLogger(__name__)
TIMEOUT_S = 10


def webhook_payload(job):
    """`status` success with output and meta, or `failed` with message; id and track_id as strings."""
    payload = {
        "status": "success" if job.status == ModelsLabJob.Status.SUCCESS else "failed",
        "id": str(job.job_id),
    }
    if job.status == ModelsLabJob.Status.SUCCESS:
        payload["output"] = [output_url(job.base_url, job.output_name)]
        payload["generationTime"] = (job.ready_at - job.created).total_seconds()
    else:
        payload["message"] = job.error_message
    payload["track_id"] = job.track_id or None
    if job.status == ModelsLabJob.Status.SUCCESS:
        payload["meta"] = job.meta  # the documented failure payload has none (providers.md 2.5)
    return payload


def post_once(job, payload):
    """One POST; the error text, or "" when the receiver answered 2xx. Only to dubweb's own webhook
    endpoint (create_dubbing refuses others; a row from before that rule is not delivered either)."""
    if not is_own_webhook(job.webhook_url):
        return "not delivered: the webhook is not dubweb's own ModelsLab webhook URL"
    try:
        response = requests.post(job.webhook_url, json=payload, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"
    return "" if response.ok else f"HTTP {response.status_code}"


def deliver(job):
    """Deliver a finished job's webhook (twice if flagged); the number of POSTs made."""
    payload = webhook_payload(job)
    times = 2 if job.webhook_duplicate else 1
    errors = [post_once(job, payload) for _ in range(times)]
    job.webhook_deliveries += times
    job.webhook_last_error = next((e for e in reversed(errors) if e), "")
    job.save(update_fields=["webhook_deliveries", "webhook_last_error"])
    if job.webhook_last_error:
        log.warning("Sandbox webhook for job %s failed: %s", job.job_id, job.webhook_last_error)
    return times


def deliver_due_webhooks(now=None):
    """Move due jobs on, then deliver each undelivered finished job's webhook; the number of POSTs made."""
    now = now or timezone.now()
    waiting = ModelsLabJob.objects.exclude(webhook_url="").filter(webhook_deliveries=0)
    for job in waiting.filter(status=ModelsLabJob.Status.PROCESSING, ready_at__lte=now):
        job.advance(now)
    finished = Q(status=ModelsLabJob.Status.SUCCESS) | Q(status=ModelsLabJob.Status.FAILED)
    return sum(deliver(job) for job in waiting.filter(finished).order_by("pk"))
