"""Health checks for load balancers and orchestrators (docs/deploy.md, "Health checks"): no sign-in, no
session, nothing secret in the answer. HealthCheckMiddleware answers them before the host check."""

import logging

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .. import health

logger = logging.getLogger("dubweb.health")


@never_cache
@require_safe
def live(request):
    """The process answers (nothing else is checked: a database outage must not get it restarted)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request):
    """200 when the database, the job broker and a recent worker are there; 503 naming what is not."""
    ready, checks = health.readiness()
    body = {"status": "ok" if ready else "unavailable", "checks": {c.name: c.detail for c in checks}}
    if ready:
        return JsonResponse(body)
    body["failed"] = [c.name for c in checks if not c.ok]
    logger.warning("Not ready: %s", ", ".join(f"{c.name} {c.detail}" for c in checks if not c.ok))
    response = JsonResponse(body, status=503)
    response._has_been_logged = True  # said above, once, rather than as a server error by django.request
    return response
