"""Request plumbing that is not a view's business."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
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
