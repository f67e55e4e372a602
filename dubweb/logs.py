"""Logs: one JSON object per line in production, a request id on every line, and no secret in any line.

- `RequestIdMiddleware` takes the load balancer's `X-Request-ID` when it is a sane token (else makes one),
  returns it in the response's `X-Request-ID` and logs one line per request (`dubweb.request`).
- The request id travels with the background jobs a request queues: `remember_request_id` (django-q2's
  `pre_enqueue`) adds it to the task, `enter_task` (`pre_execute`, in the worker) puts it back in context
  for the task's own lines, with the task's id and name; `leave_task` clears them.
- `ContextFilter` stamps each record with them; `RedactSecrets` removes keys, tokens and passwords from
  the message, the exception and any extra field, whatever logged it (the provider clients, urllib3,
  Django, gunicorn); `JsonFormatter` writes the line.

Configured in settings.LOGGING (LOG_FORMAT, docs/configuration.md). Imports nothing of the apps, so that
gunicorn.conf.py may use it before Django is set up.
"""

import json
import logging
import re
import secrets
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils.functional import empty

request_id_var = ContextVar("request_id", default=None)
task_var = ContextVar("task", default=None)  # (task id, task name) while a worker runs a task

REDACTED = "[redacted]"
# What a load balancer's request id may look like (a UUID, a hex or base64url token, AWS's Root=1-…-…).
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=/+-]{0,127}")

# A value after a name that says it is secret: `key=…`, `"api_key": "…"`, `Authorization: Bearer …`,
# `password='…'`. The value ends at a quote, a space, `&`, `,`, `;` or a closing brace.
SECRET_NAMES = "|".join(  # names, not values
    (
        r"authorization|proxy-authorization|x-api-key|api[_-]?key|apikey|access[_-]?token",
        r"refresh[_-]?token|auth[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd",
        r"credentials?|key",
    )
)
NAMED_SECRET = re.compile(
    rf"""(?P<name>(?<![A-Za-z0-9_-])(?:{SECRET_NAMES})(?![A-Za-z0-9_-]))"""
    r"""(?P<sep>["']?\s*[:=]\s*["']?)(?P<scheme>(?:Bearer|Basic|Token)\s+)?(?!\[redacted\])(?!(?:Bearer|Basic|Token)\s)(?P<value>[^\s"'&,;}\]]+)""",
    re.IGNORECASE,
)
BEARER = re.compile(r"\b(?P<scheme>Bearer|Basic)\s+(?!\[redacted\])(?P<value>[A-Za-z0-9._~+/=-]{6,})")
# Passwords in URLs (postgres://user:password@host, redis://:password@host).
URL_PASSWORD = re.compile(
    r"(?P<prefix>[a-z][a-z0-9+.-]*://[^/\s:@]*:)(?P<value>[^/\s@]+)(?=@)", re.IGNORECASE
)
# Links that are secrets themselves: invitations, password resets, the ModelsLab webhook (its token).
TOKEN_PATHS = re.compile(
    r"(?P<prefix>/(?:accounts/invitations|accounts/password/reset/[^/\s]+|hooks/modelslab)/)"
    r"(?P<value>[^/\s?\"']+)(?=/)"
)
# Settings whose values never appear in a log line (plus the database's and Redis's passwords).
SECRET_SETTINGS = (
    "SECRET_KEY",
    "CREDENTIALS_KEY",
    "DUBFORMER_API_KEY",
    "MODELSLAB_API_KEY",
    "EMAIL_HOST_PASSWORD",
)
# Keys known at run time (a team's own provider key, once decrypted): `register_secret`.
_runtime_secrets = set()
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


def register_secret(value):
    """Never log `value` (a provider key a team entered, once it is decrypted in this process)."""
    if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
        _runtime_secrets.add(value)


def known_secrets():
    """Every secret value this process knows, longest first (so a key containing another goes whole)."""
    values = set(_runtime_secrets)
    try:
        from django.conf import settings

        if settings.configured:
            values.update(getattr(settings, name, "") or "" for name in SECRET_SETTINGS)
            for database in getattr(settings, "DATABASES", {}).values():
                values.add(database.get("PASSWORD") or "")
            redis_url = getattr(settings, "REDIS_URL", "")
            match = URL_PASSWORD.search(redis_url or "")
            if match:
                values.add(match.group("value"))
    except Exception:  # noqa: S110 (settings that cannot be read: the patterns still apply)
        pass
    return sorted(
        (v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True
    )


def redact(text, secret_values=None):
    """`text` without any known secret value and without the value of anything named like a secret."""
    if not isinstance(text, str) or not text:
        return text
    for value in known_secrets() if secret_values is None else secret_values:
        text = text.replace(value, REDACTED)
    text = NAMED_SECRET.sub(
        lambda m: (
            f"{m.group('name')}{m.group('sep')}{m.group('scheme') or ''}{REDACTED}"
            if m.group("value") != REDACTED
            else m.group(0)
        ),
        text,
    )
    text = BEARER.sub(lambda m: f"{m.group('scheme')} {REDACTED}", text)
    text = URL_PASSWORD.sub(lambda m: f"{m.group('prefix')}{REDACTED}", text)
    return TOKEN_PATHS.sub(lambda m: f"{m.group('prefix')}{REDACTED}", text)


# The attributes every LogRecord has; anything else was given as `extra=`.
STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
CONTEXT_ATTRS = ("request_id", "task_id", "task_name")


class ContextFilter(logging.Filter):
    """Stamp each record with the request id (and, in the worker, the task) it belongs to."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            # django.request logs a 4xx/5xx after the middleware is done, with the request attached.
            request = getattr(record, "request", None)
            record.request_id = request_id_var.get() or getattr(request, "request_id", None) or "-"
        task = task_var.get()
        if task is not None and getattr(record, "task_id", None) is None:
            record.task_id, record.task_name = task
        return True


class RedactSecrets(logging.Filter):
    """Rewrite a record so that no secret is left in it: message (with its arguments), exception, stack
    and extra fields. Put it on the handlers, so it sees the records of every logger."""

    def filter(self, record):
        values = known_secrets()
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep what was written, without its arguments
            message = str(record.msg)
        record.msg, record.args = redact(message, values), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, values)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, values)
        for name, value in list(vars(record).items()):
            if name not in STANDARD_ATTRS:
                setattr(record, name, _redacted(value, values))
        return True


def _redacted(value, values, depth=0):
    """An `extra=` field without secrets: strings redacted, containers walked (SQL parameters are a
    list), anything else as its redacted text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value, values)
    if depth < 4 and isinstance(value, list | tuple | set):
        return [_redacted(item, values, depth + 1) for item in value]
    if depth < 4 and isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and NAMED_SECRET.fullmatch(f"{key}=x")
            else _redacted(item, values, depth + 1)
            for key, item in value.items()
        }
    return redact(str(value), values)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, task_id and
    task_name when there are, process, exception, and any `extra=` fields."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name in CONTEXT_ATTRS:
            value = getattr(record, name, None)
            if value not in (None, "-"):
                entry[name] = value
        for name, value in vars(record).items():
            if name not in STANDARD_ATTRS and name not in CONTEXT_ATTRS and not name.startswith("_"):
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def new_request_id():
    return uuid.uuid4().hex


def request_id_from(value):
    """The load balancer's request id when it is a sane token, else a new one."""
    value = (value or "").strip()
    return value if SANE_REQUEST_ID.fullmatch(value) else new_request_id()


request_logger = logging.getLogger("dubweb.request")


class RequestIdMiddleware:
    """First in MIDDLEWARE: every line logged while the request is answered carries its id, the response
    says it (`X-Request-ID`), and one line per request says what was answered and how fast."""

    QUIET_PREFIXES = ("/health/", "/static/")  # load balancer probes and files: DEBUG, not INFO

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(token)

    def _log(self, request, status, started):
        level = logging.DEBUG if request.path.startswith(self.QUIET_PREFIXES) else logging.INFO
        if not request_logger.isEnabledFor(level):
            return
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        match = getattr(request, "resolver_match", None)
        request_logger.log(
            level,
            "%s %s %s %sms",
            request.method,
            request.path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,  # the query string is left out: it may carry anything
                "route": match.route if match else None,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": _user_id_if_loaded(request),
            },
        )


def _user_id_if_loaded(request):
    """The signed-in user's id if the request already looked them up (logging costs no query)."""
    user = vars(request).get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return getattr(user, "pk", None)


# --- django-q2 signals: the request id travels with the tasks a request queues ---------------------------

_task_tokens = []


def remember_request_id(sender, task, **kwargs):
    """pre_enqueue: the task carries the id of the request (or task) that queued it."""
    request_id = request_id_var.get()
    if request_id and "request_id" not in task:
        task["request_id"] = request_id


def enter_task(sender, func=None, task=None, **kwargs):
    """pre_execute, in the worker: the task's lines carry its request id (a new one for a scheduled task)
    and its id and name."""
    task = task or {}
    request_id = task.get("request_id") or f"task-{secrets.token_hex(8)}"
    _task_tokens.append((request_id_var.set(request_id), task_var.set((task.get("id"), task.get("name")))))


def leave_task(sender, **kwargs):
    """post_execute_in_worker: back to the context before the task (another task, or a request in sync
    mode)."""
    if not _task_tokens:
        return
    request_token, task_token = _task_tokens.pop()
    try:
        task_var.reset(task_token)
        request_id_var.reset(request_token)
    except ValueError:  # set in another context (cannot happen in django-q2's worker loop): clear
        task_var.set(None)
        request_id_var.set(None)


def connect_task_signals():
    from django_q.signals import post_execute_in_worker, pre_enqueue, pre_execute

    pre_enqueue.connect(remember_request_id, dispatch_uid="dubweb.logs.request_id")
    pre_execute.connect(enter_task, dispatch_uid="dubweb.logs.enter_task")
    post_execute_in_worker.connect(leave_task, dispatch_uid="dubweb.logs.leave_task")
