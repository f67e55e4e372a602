"""Test settings: dubweb's own settings with a test key, fast hashing and synchronous jobs.

django-q2 reads its settings at import, so they are fixed here rather than overridden per test."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# The provider sandbox is served in tests: end-to-end tests talk to it over real HTTP.
os.environ.setdefault("PROVIDER_SANDBOX", "1")
# Nothing listens here: a test reaches a provider only through its own live server (or a mock), never a
# dubweb that happens to run on :8000 beside the tests.
os.environ.setdefault("SITE_URL", "http://127.0.0.1:9")
# Playwright's sync API runs an event loop in the test thread; the ORM calls it makes are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from dubweb.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Serve static files from the source folders (no collectstatic before tests; the browser tests need them).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Live-server threads must not keep connections open, or PostgreSQL cannot drop the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# No cache between tests (ids repeat from test to test; the voice catalogue is cached by team id).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Output copies are downloads over HTTP: on in the end-to-end tests (see their `live` fixture) only.
KEEP_PROVIDER_OUTPUTS = False
# Browser tests wait for the live server to finish what it is answering before the database is flushed.
MIDDLEWARE = ["tests.inflight.InFlightMiddleware", *MIDDLEWARE]  # noqa: F405
# Waveforms run ffmpeg (and may download): on in their own tests (tests/test_waveforms.py) only.
COMPUTE_WAVEFORMS = False
