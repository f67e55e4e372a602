"""Structured logs: one JSON object per line, the request id on every line of a request and of the jobs it
queued (in the worker), and no key, token or password in any line."""

import contextvars
import io
import json
import logging
import queue
from multiprocessing import Value

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from dubweb import logs
from projects.models import ProviderCredential, Submission

from .test_end_to_end import fail_next, keynote, live, run  # noqa: F401 (fixtures)

job_logger = logging.getLogger("dubweb.tests.job")


def log_from_a_job(word):
    """A task: what a job logs while it runs."""
    job_logger.info("the job says %s", word)


@pytest.fixture
def captured():
    """Every log line of every logger, as production writes them (the settings' handler: filters and
    JSON), into a buffer; DEBUG and up, so that the HTTP libraries' request lines are in it too."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.ContextFilter())
    handler.addFilter(logs.RedactSecrets())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(old_level)


def lines(buffer):
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_each_response_says_its_request_id_and_logs_one_json_line(client, captured):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-7f3a9c")
    assert response["X-Request-ID"] == "lb-7f3a9c"
    request_lines = [line for line in lines(captured) if line["logger"] == "dubweb.request"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["request_id"] == "lb-7f3a9c"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/accounts/login/", 200)
    assert line["level"] == "INFO" and line["time"].endswith("+00:00") and line["duration_ms"] >= 0


@pytest.mark.parametrize("given", ["", "two words", "x" * 200, "<script>", "id\nInjected: line", "ü-ok"])
def test_an_unusable_request_id_is_replaced_by_a_new_one(client, given):
    response = client.get("/health/live", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32
    # Each request gets its own.
    assert client.get("/health/live")["X-Request-ID"] != response["X-Request-ID"]


def test_the_worker_logs_a_job_with_the_id_of_the_request_that_queued_it(
    transactional_db, captured, monkeypatch
):
    """The job goes through the database broker and runs in django-q2's worker loop, in a context without
    the request's id (as in the worker process)."""
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.signing import SignedPackage
    from django_q.tasks import async_task
    from django_q.worker import worker

    monkeypatch.setattr(Conf, "SYNC", False)

    def view(request):
        async_task("tests.test_logs.log_from_a_job", "hello", task_name="say-hello")
        return HttpResponse("queued")

    response = logs.RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-42"))
    assert response["X-Request-ID"] == "req-42"

    broker = get_broker()
    (package_id, package), *_ = broker.dequeue()
    tasks = queue.Queue()
    tasks.put(SignedPackage.loads(package))
    tasks.put("STOP")
    contextvars.Context().run(worker, tasks, queue.Queue(), Value("f", -1))  # nothing of the request's
    broker.acknowledge(package_id)

    said = [line for line in lines(captured) if line["message"] == "the job says hello"]
    assert len(said) == 1
    assert said[0]["request_id"] == "req-42"
    assert said[0]["task_name"] == "say-hello" and said[0]["task_id"]


def test_secrets_are_removed_from_messages_arguments_exceptions_and_extras(captured, settings, monkeypatch):
    settings.MODELSLAB_API_KEY = "ml-live-4f9a8b7c6d5e"
    monkeypatch.setitem(settings.DATABASES["default"], "PASSWORD", "db-pass-31337")
    logs.register_secret("team-key-aaaa-bbbb")
    log = logging.getLogger("dubweb.tests")
    log.info("sending %s", {"key": "ml-live-4f9a8b7c6d5e", "init_video": "https://example.com/v.mp4"})
    log.warning("headers %r", {"Authorization": "Bearer some-unknown-token-123"})
    log.info("GET https://api.example.com/x?api_key=qwerty123456&lang=fr")
    log.info("connecting to postgres://dubweb:db-pass-31337@db:5432/dubweb")
    log.info("invitation opened", extra={"path": "/accounts/invitations/invite-token-777/"})
    try:
        raise RuntimeError("the provider refused key team-key-aaaa-bbbb")
    except RuntimeError:
        log.exception("job failed")
    text = captured.getvalue()
    for secret in ("ml-live-4f9a8b7c6d5e", "some-unknown-token-123", "qwerty123456", "db-pass-31337",
                   "invite-token-777", "team-key-aaaa-bbbb"):  # fmt: skip
        assert secret not in text
    said = lines(captured)
    assert said[0]["message"] == "sending {'key': '[redacted]', 'init_video': 'https://example.com/v.mp4'}"
    assert "lang=fr" in said[2]["message"]
    assert said[4]["path"] == "/accounts/invitations/[redacted]/"
    assert "RuntimeError: the provider refused key [redacted]" in said[5]["exception"]


def test_ordinary_words_are_left_alone(captured):
    logging.getLogger("dubweb.tests").info("voice_key=henry saved; Idempotency-Key: abc; 3 keys left")
    assert lines(captured)[0]["message"] == "voice_key=henry saved; Idempotency-Key: abc; 3 keys left"


DUBFORMER_KEY = "df-live-KNOWN-0123456789abcdef"
MODELSLAB_KEY = "ml-live-KNOWN-fedcba9876543210"
TEAM_KEY = "df-team-KNOWN-5555aaaa6666bbbb"


@pytest.fixture
def sql_logged(settings):
    """Django's SQL lines too (with their parameters: the sandbox keeps balances by key)."""
    settings.DEBUG = True
    sql = logging.getLogger("django.db.backends")
    old_level = sql.level
    sql.setLevel(logging.DEBUG)
    yield
    sql.setLevel(old_level)


def test_no_provider_key_in_any_log_line_of_real_jobs(live, keynote, settings, captured, sql_logged):  # noqa: F811
    """Jobs against the sandbox with known keys, with retries, refusals and a failure, every logger at
    DEBUG (urllib3's request lines and SQL included): the keys are in no line."""
    project, manager = keynote
    settings.DUBFORMER_API_KEY = DUBFORMER_KEY
    settings.MODELSLAB_API_KEY = MODELSLAB_KEY
    settings.SANDBOX_DUBFORMER_KEYS = [TEAM_KEY]

    fail_next(live, "dubformer", "create_project", "500", times=1)
    assert run(project, Submission.Kind.CREATE_PROJECT, manager).status == Submission.Status.SUCCEEDED
    fail_next(live, "modelslab", "create_dubbing", "401", times=1)
    dub = run(project, Submission.Kind.NEW_DUB, manager, voice_id="henry", speed=1.0)
    assert dub.status == Submission.Status.FAILED
    # A team's own key, entered in the UI and stored encrypted.
    credential = ProviderCredential(team=project.team, provider=Submission.Provider.DUBFORMER)
    credential.set_key(TEAM_KEY)
    credential.save()
    fail_next(live, "dubformer", "create_project", "malformed", times=5)
    assert run(project, Submission.Kind.CREATE_PROJECT, manager).status == Submission.Status.FAILED

    text = captured.getvalue()
    # The providers', HTTP and SQL lines are there, and some needed a key removed.
    assert "dubweb.providers" in text and "urllib3" in text and "django.db.backends" in text
    assert "[redacted]" in text
    for key in (DUBFORMER_KEY, MODELSLAB_KEY, TEAM_KEY):
        assert key not in text
        assert key[-12:] not in text


def test_a_signed_in_request_line_says_who(client, captured, editor):
    client.force_login(editor)
    assert client.get("/projects/").status_code == 200
    (line,) = [line for line in lines(captured) if line["logger"] == "dubweb.request"]
    assert line["user_id"] == editor.pk and line["route"] == "projects/"
