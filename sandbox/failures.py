"""Injected failures: plans set through control/fail or by a marker in a name, and the answers they give.

Bodies follow each provider's error shape: Dubformer `{"error": <Type>, "message": ...}` (providers.md 1.8),
ModelsLab `{"status": "error", "message": ...}` with the documented messages (providers.md 2.6).
"""

import re
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, JsonResponse

from .models import FailurePlan, Provider

MARKER_FAIL = re.compile(
    r"\[sandbox:fail=(401|402|403|429|500|503|timeout|malformed|html503|queue_full)(?:x(\d{1,4}))?\]"
)
MARKER_ERROR = "[sandbox:error]"
MARKER_WEBHOOK_TWICE = "[sandbox:webhook=twice]"

DUBFORMER_ERRORS = {
    "401": ("UnauthorizedError", "Invalid API key"),
    "402": ("PaymentRequiredError", "Insufficient balance for this project"),
    "403": ("ForbiddenError", "This feature is not enabled for your account. Contact support@dubformer.ai"),
    "429": ("TooManyRequestsError", "Too many requests. Retry after the time given in Retry-After."),
    "500": ("InternalServerError", "Internal server error. Please try again."),
    "503": ("ServiceUnavailableError", "Service temporarily unavailable. Please try again later."),
}
MODELSLAB_ERRORS = {
    "401": "Invalid API key",
    "402": "Insufficient credits. Please add more credits to continue.",
    "403": "This feature requires a premium subscription",
    "429": "Rate limit exceeded. Maximum 5 queued requests allowed.",
    "500": "Internal server error. Please try again.",
    "503": "Service temporarily unavailable. Please try again later.",
}


def dubformer_error(status, error, message):
    return JsonResponse({"error": error, "message": message}, status=status)


def modelslab_error(status, message, **extra):
    return JsonResponse({"status": "error", "message": message, **extra}, status=status)


def failure_response(provider, kind):
    """The answer for an injected failure; None for "timeout", which only delays the real answer."""
    if kind == "timeout":
        time.sleep(getattr(settings, "SANDBOX_TIMEOUT_SLEEP_S", 2.0))
        return None
    if kind == "malformed":
        return HttpResponse('{"status": "succ', content_type="application/json")
    if kind == "html503":  # a proxy's page in front of the API, not JSON (providers.md 2.8)
        return HttpResponse("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                            status=503, content_type="text/html")  # fmt: skip
    if kind == "queue_full":  # HTTP 200 with an error inside, in the legacy spelling (providers.md 2.6)
        if provider == Provider.MODELSLAB:
            return JsonResponse(
                {"status": "error", "messege": "Queue is full. Maximum 5 queued requests allowed."}
            )
        return dubformer_error(429, "TooManyRequestsError", "Queue is full")
    status = int(kind)
    if provider == Provider.DUBFORMER:
        response = dubformer_error(status, *DUBFORMER_ERRORS[kind])
        if kind == "429":
            response["Retry-After"] = "1"
        return response
    extra = {"retry_after": 1} if kind == "429" else {}
    return modelslab_error(status, MODELSLAB_ERRORS[kind], **extra)


def _consume(plans):
    """Use one count of the oldest live plan among `plans`; its kind, or None."""
    with transaction.atomic():
        plan = plans.filter(remaining__gt=0).order_by("created", "pk").select_for_update().first()
        if plan is None:
            return None
        FailurePlan.objects.filter(pk=plan.pk).update(remaining=F("remaining") - 1)
        if not plan.match and plan.remaining <= 1:
            FailurePlan.objects.filter(pk=plan.pk).delete()
        return plan.kind


def planned_failure(provider, endpoint):
    """The answer of a control/fail plan for this endpoint, if one is live (None: carry on)."""
    plans = FailurePlan.objects.filter(provider=provider, endpoint__in=[endpoint, "*"], match="").exclude(
        kind=FailurePlan.STALE
    )
    kind = _consume(plans)
    return failure_response(provider, kind) if kind else None


def planned_stale_answer():
    """Whether a control/fail "stale" plan says to answer Get Project with the previous result now."""
    plans = FailurePlan.objects.filter(
        provider=Provider.DUBFORMER, endpoint="get_project", match="", kind=FailurePlan.STALE
    )
    return _consume(plans) is not None


def marker_failure(provider, endpoint, text):
    """The answer of a `[sandbox:fail=KINDxN]` marker in `text`: the first N calls carrying it fail."""
    found = MARKER_FAIL.search(text or "")
    if not found:
        return None
    kind, times = found.group(1), int(found.group(2) or 1)
    FailurePlan.objects.get_or_create(
        provider=provider, endpoint=endpoint, match=text, defaults={"kind": kind, "remaining": times}
    )
    kind = _consume(FailurePlan.objects.filter(provider=provider, endpoint=endpoint, match=text))
    return failure_response(provider, kind) if kind else None


def error_marker(text):
    return MARKER_ERROR in (text or "")
