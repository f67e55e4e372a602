import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dubweb.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to start (with the reason) rather than answer 500 on every page
# because collectstatic was not run.
_serious = [message for message in checks.run_checks(tags=["dubweb_static"]) if message.is_serious()]
if _serious and not settings.DEBUG:
    raise ImproperlyConfigured("\n".join(f"{message.msg} {message.hint}" for message in _serious))
