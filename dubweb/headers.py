"""Response headers Django does not set by itself.

Permissions-Policy switches off the browser features dubweb never uses (camera, microphone, location …),
so that an injected script could not ask for them either. The policy is settings.PERMISSIONS_POLICY.
"""

from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.policy
        return response
