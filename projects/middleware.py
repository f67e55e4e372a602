"""Request plumbing that is not a view's business."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has expired would get the login page swapped into a fragment (a job
    card, a row). Send the whole browser to the login page instead, coming back to the page it was on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if htmx and response.status_code == 302:
            login_url = resolve_url(settings.LOGIN_URL)
            if response.url.split("?", 1)[0] == login_url:
                back_to = htmx.current_url_abs_path or "/"
                return HttpResponseClientRedirect(redirect_to_login(back_to, login_url).url)
        return response


class HealthCheckMiddleware:
    """Answer /health/live and /health/ready before the rest of the stack: a load balancer probes by the
    machine's address (not one of ALLOWED_HOSTS) and over plain HTTP (no SSL redirect), and a probe needs
    no session, CSRF or sign-in throttling."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .views import health

        view = {"/health/live": health.live, "/health/ready": health.ready}.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """A request whose body is larger than anything dubweb reads (DATA_UPLOAD_MAX_MEMORY_SIZE, which has
    room for the largest script file) is refused with 413 before any view runs, also by the views that
    never read their body (undo, a job's cancel): they would otherwise act on it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return HttpResponse(
                f"The request is larger than dubweb accepts ({limit / 2**20:.0f} MB); nothing was done.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
