"""Start-up checks: production mode must not serve a 500 on every page.

With DEBUG off the static files are served from STATIC_ROOT under hashed names listed in a manifest that
`manage.py collectstatic` writes. Without it (or with a file added since) every page that names a static
file fails; this check says so when the server starts (runserver, migrate, and dubweb/wsgi.py for gunicorn)
instead of leaving each page to answer 500.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.files.storage import storages

TAG = "dubweb_static"


@checks.register(TAG)
def static_manifest_is_collected(app_configs=None, **kwargs):
    storage = storages["staticfiles"]
    if settings.DEBUG or not isinstance(storage, ManifestFilesMixin):
        return []
    hint = "Run `python manage.py collectstatic --noinput` before starting the server (README, Production)."
    if not storage.exists(storage.manifest_name):
        return [
            checks.Error(
                f"The static files are not collected: {settings.STATIC_ROOT}/{storage.manifest_name} is "
                "missing, so every page would answer 500.",
                hint=hint,
                id="dubweb.E001",
            )
        ]
    listed, _ = storage.load_manifest()
    missing = sorted(
        path
        for finder in finders.get_finders()
        for path, _ in finder.list(["CVS", ".*", "*~"])
        if path not in listed
    )
    if missing:
        return [
            checks.Error(
                f"{len(missing)} static file(s) are newer than the last collectstatic "
                f"(for example {', '.join(missing[:3])}); pages naming them would answer 500.",
                hint=hint,
                id="dubweb.E002",
            )
        ]
    return []
