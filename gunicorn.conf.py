"""gunicorn settings for production mode (README, "Production"): `gunicorn dubweb.wsgi` reads this file.

Every value can be changed from the environment. Sync workers, one request at a time each: each keeps at
most one database connection, so DB_CONN_MAX_AGE may be raised safely (WEB_CONCURRENCY connections).
"""

import multiprocessing
import os

bind = os.environ.get(
    "GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "sync"
# More than one thread per worker makes gunicorn use its threaded worker (gthread): each thread then keeps a
# database connection of its own (WEB_CONCURRENCY × GUNICORN_THREADS in all).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request never waits on a provider (the worker does): a page slower than this is stuck, so restart it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100
# Trust X-Forwarded-* only from the proxy on this machine (FORWARDED_ALLOW_IPS to change).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# No control socket (gunicorn ≥ 25 opens one in the home directory by default): two instances on one machine
# (bench/cluster, the tests) would share it.
control_socket_disable = True
# Load the app before forking, so a configuration error (no collectstatic, no SECRET_KEY) stops the start.
preload_app = True

# --- Logs (dubweb/logs.py, docs/configuration.md "Logs") ---------------------------------------------------
# With LOG_FORMAT=json (the default when DEBUG is off) gunicorn's own lines are JSON objects too and pass the
# same filter that removes keys and tokens. dubweb logs one line per request itself (logger
# dubweb.request, with the request id), so gunicorn's access log is off then unless GUNICORN_ACCESS_LOG is
# set.
_debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
if os.environ.get("LOG_FORMAT", "text" if _debug else "json").strip().lower() == "json":
    _access = "GUNICORN_ACCESS_LOG" in os.environ
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "dubweb.logs.ContextFilter"},
            "redact": {"()": "dubweb.logs.RedactSecrets"},
        },
        "formatters": {"json": {"()": "dubweb.logs.JsonFormatter"}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["context", "redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            "gunicorn.access": {
                "level": "INFO" if _access else "WARNING",
                "handlers": ["json"],
                "propagate": False,
            },
        },
    }
