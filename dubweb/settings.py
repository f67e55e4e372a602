"""dubweb settings: every value comes from the environment, with defaults that suit the embedded first run.

Production mode is DEBUG off: SECRET_KEY and ALLOWED_HOSTS must then be given, and the HTTPS settings
are on, so that `manage.py check --deploy` is clean.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# Files the running app writes (the SQLite database, the dev secret key, uploads): kept out of git.
VAR_DIR = Path(os.environ.get("DUBWEB_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _secret_key():
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    # A file that holds the key (`./dev serve` generates one in the var dir; a container's secrets mount).
    key_file = os.environ.get("SECRET_KEY_FILE", "")
    if key_file:
        try:
            key = Path(key_file).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE cannot be read: {error.strerror}.") from None
        if not key:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE ({key_file}) is empty.")
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it (or SECRET_KEY_FILE) in the environment, or set DEBUG=1 for a "
            "local run."
        )
    # A local run keeps one generated key on disk so that sessions survive a restart.
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set. Give the host names the site answers to.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The address the providers (and the sandbox) use to reach this app: webhooks, relative video URLs.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_q",
    "axes",
    "csp",  # its system checks
    "projects",
    # The fake Dubformer and ModelsLab APIs; its URLs are only served when PROVIDER_SANDBOX is on.
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every answer, static files included.
    "csp.middleware.CSPMiddleware",
    "dubweb.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "projects.middleware.BodySizeLimitMiddleware",  # before anything reads the body (sessions, CSRF)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "projects.middleware.HtmxLoginRedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the sign-in page with the message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dubweb.urls"
WSGI_APPLICATION = "dubweb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "projects.context_processors.site",
            ],
            # `{{ someone|display_name }}` in every template, without a {% load %}.
            "builtins": ["projects.templatetags.people"],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL names another (PostgreSQL in production and CI).
# DB_CONN_MAX_AGE (seconds a connection is kept for the next request) is 0 by default: runserver opens a
# thread per request and each would keep its own connection, exhausting PostgreSQL's. With gunicorn's
# sync workers (one connection each) 60 saves a connect per request (README, "Production").
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The web server and the worker write to the same file: WAL lets readers go on during a write,
    # and IMMEDIATE transactions wait for the lock instead of failing half-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while its username + address is locked out, before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for LOGIN_LOCKOUT_MINUTES (the same username from elsewhere, and other
# users, still sign in, so one attacker cannot lock the whole team out). Unlock earlier with
# `manage.py axes_reset_username NAME` (README, "Sign-in throttling").
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "projects.views.accounts.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address: REMOTE_ADDR, or behind a proxy (SECURE_PROXY_SSL_HEADER=1) the address that proxy
# appended to X-Forwarded-For (the right-most one; what the client wrote there itself is not believed).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_PROXY_COUNT = 1
LOGIN_REDIRECT_URL = "projects:my-work"  # what the person has been handed, first
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Script files: the largest upload accepted (the import form says so before reading more).
SCRIPT_UPLOAD_MAX_BYTES = int(os.environ.get("SCRIPT_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = SCRIPT_UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = SCRIPT_UPLOAD_MAX_BYTES + 1024 * 1024

# Providers. The sandbox serves fake Dubformer and ModelsLab APIs from this app; when it is on and no
# base URL is given, the clients talk to it. Switching to the real services is a base URL and a key.
PROVIDER_SANDBOX = env_bool("PROVIDER_SANDBOX", False)
DUBFORMER_BASE_URL = os.environ.get(
    "DUBFORMER_BASE_URL",
    f"{SITE_URL}/sandbox/dubformer" if PROVIDER_SANDBOX else "https://app.dubformer.ai",
).rstrip("/")
DUBFORMER_API_KEY = os.environ.get("DUBFORMER_API_KEY", "sandbox-dubformer-key" if PROVIDER_SANDBOX else "")
MODELSLAB_BASE_URL = os.environ.get(
    "MODELSLAB_BASE_URL",
    f"{SITE_URL}/sandbox/modelslab" if PROVIDER_SANDBOX else "https://modelslab.com",
).rstrip("/")
MODELSLAB_API_KEY = os.environ.get("MODELSLAB_API_KEY", "sandbox-modelslab-key" if PROVIDER_SANDBOX else "")
# Encrypts the provider keys teams enter in the UI (derived from SECRET_KEY when empty; set it in production).
CREDENTIALS_KEY = os.environ.get("CREDENTIALS_KEY", "")
PROVIDER_CONNECT_TIMEOUT_S = float(os.environ.get("PROVIDER_CONNECT_TIMEOUT_S", "5"))
PROVIDER_READ_TIMEOUT_S = float(os.environ.get("PROVIDER_READ_TIMEOUT_S", "60"))
# A finished job's dubbed video and voice track are copied into MEDIA_ROOT (provider links may expire).
KEEP_PROVIDER_OUTPUTS = env_bool("KEEP_PROVIDER_OUTPUTS", True)
OUTPUT_MAX_BYTES = int(float(os.environ.get("OUTPUT_MAX_MB", "4096")) * 2**20)
# The longest one output file may take to arrive, in all (a trickling server is given up, not waited for;
# both files of a job fit within the worker's Q_TIMEOUT_S).
OUTPUT_FETCH_MAX_S = float(os.environ.get("OUTPUT_FETCH_MAX_S", "400"))

# Background jobs (django-q2). The ORM broker needs nothing but the database; REDIS_URL switches to Redis.
# The queue never retries by itself: tasks are idempotent and keep their state on their own rows.
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": "dubweb",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    # A task may copy a large output file; the broker redelivers only after `retry` (longer than that).
    "timeout": int(os.environ.get("Q_TIMEOUT_S", "900")),
    "retry": int(os.environ.get("Q_TIMEOUT_S", "900")) + 60,
    "max_attempts": 1,
    "ack_failures": True,
    "save_limit": 500,
    "catch_up": False,
    "sync": env_bool("Q_SYNC", False),
}
# A job still queued this long after it was asked for, with no time planned, has lost its task (a broker
# restarted with it, or did not answer): the periodic task, or someone watching the job, sends it.
JOB_REQUEUE_AFTER_S = float(os.environ.get("JOB_REQUEUE_AFTER_S", "60"))
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Production hardening: on whenever DEBUG is off (behind a TLS-terminating proxy, say so with
# SECURE_PROXY_SSL_HEADER=1).
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 30)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # another site never learns which project page a link came from

# Content Security Policy (django-csp), DEBUG or not: the pages run dubweb's own scripts and styles only.
# No inline script, event handler or style attribute anywhere (htmx is configured in base.html to add
# none); the one exception is the <style> wavesurfer.js puts in its shadow root, which carries the page's
# nonce (static/js/timeline.js). Videos may be anyone's http(s) URLs (a project's source, a provider's
# output link): CSP_MEDIA_SRC narrows that to given origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "media-src": [SELF, *os.environ.get("CSP_MEDIA_SRC", "https: http:").split()],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page of dubweb uses are off; the players keep full screen and picture-in-picture.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(self), camera=(), display-capture=(), fullscreen=(self), geolocation=(), "
    "gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(self), "
    "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)

# --- Logs (dubweb/logs.py; docs/configuration.md, "Logs") -----------------------------------------------
# LOG_FORMAT=json writes one JSON object per line (the default in production, DEBUG off); text one readable
# line (the default with DEBUG on, as in `./dev demo`). Every line carries the request id (X-Request-ID,
# carried into the worker's lines for the jobs that request queued) and passes a filter that removes keys,
# tokens and passwords, whoever logged them.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT is {LOG_FORMAT!r}: give json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "dubweb.logs.ContextFilter"},
        "redact": {"()": "dubweb.logs.RedactSecrets"},
    },
    "formatters": {
        "json": {"()": "dubweb.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (a console one with DEBUG on, runserver's request lines) would print a
        # second, unfiltered copy: everything goes through the one handler above instead.
        "django": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.server": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Email: invitations and password resets. The console backend (mail printed by the server) when DEBUG is
# on, as in `./dev demo`; SMTP otherwise (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS). Tests use Django's in-memory outbox.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dubweb <dubweb@localhost>")
# An invitation link works once, for this many days.
INVITATION_VALID_DAYS = float(os.environ.get("INVITATION_VALID_DAYS", "7"))

# Waveforms (projects/services/waveforms.py): the worker computes the audio peaks of each project's source
# video and of each kept provider output once, with ffmpeg. A remote source video is downloaded under the
# same guarded rules as provider outputs, up to this size; one computation is given up after this long
# (a download and a computation together stay within the worker's Q_TIMEOUT_S).
COMPUTE_WAVEFORMS = env_bool("COMPUTE_WAVEFORMS", True)
WAVEFORM_SOURCE_MAX_BYTES = int(float(os.environ.get("WAVEFORM_SOURCE_MAX_MB", "4096")) * 2**20)
WAVEFORM_MAX_S = float(os.environ.get("WAVEFORM_MAX_S", "400"))

# --- Health checks and request ids (projects/health.py, dubweb/logs.py; docs/deploy.md) --------------------
# Answered first, before the host check and the SSL redirect: a load balancer probes by address over HTTP.
MIDDLEWARE = ["dubweb.logs.RequestIdMiddleware", "projects.middleware.HealthCheckMiddleware", *MIDDLEWARE]
SECURE_REDIRECT_EXEMPT = [r"^health/"]
# Readiness fails when no worker has started a task for this long (0: not checked). The periodic job check
# starts one every minute; a worker busy with long copies for all of this time also counts as not seen.
HEALTH_WORKER_MAX_AGE_S = int(os.environ.get("HEALTH_WORKER_MAX_AGE_S", "300"))
