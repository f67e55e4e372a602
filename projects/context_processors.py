from django.conf import settings


def site(request):
    """What every page may show: whether provider calls go to the local sandbox."""
    return {"provider_sandbox": settings.PROVIDER_SANDBOX}
