"""A real django-q2 worker (a `manage.py qcluster` process) sends a queued submission: with the ORM
broker by default, or Redis when REDIS_URL is set (.ci/run runs it both ways).

Needs PostgreSQL: the worker process must see the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_q.tasks import async_task

from projects.models import Membership, Role, Submission
from projects.services import submissions

from .factories import ProjectFactory, TeamFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker(live_server, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share: run with DATABASE_URL=postgres://…")
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DJANGO_SETTINGS_MODULE": "dubweb.settings",
        "DEBUG": "1",
        "DUBWEB_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PROVIDER_SANDBOX": "1",
        "SITE_URL": live_server.url,
        "Q_WORKERS": "1",
        "Q_SYNC": "0",
        "LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_worker_sends_a_queued_submission_through_the_broker(
    transactional_db, live_server, worker, settings
):
    settings.SITE_URL = live_server.url
    manager = UserFactory(username="marco")
    team = TeamFactory(slug="studio")
    Membership.objects.create(user=manager, team=team, role=Role.MANAGER)
    project = ProjectFactory(team=team, source_video_url="/static/demo/keynote.mp4")
    submission = submissions.queue(project, Submission.Kind.CREATE_PROJECT, by=manager, enqueue=False)
    async_task("projects.tasks.send_submission", submission.pk, sync=False)  # onto the broker, not inline

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        submission.refresh_from_db()
        if submission.status not in (Submission.Status.QUEUED, Submission.Status.SENDING):
            break
        time.sleep(0.5)
    assert submission.status in (Submission.Status.WAITING, Submission.Status.SUCCEEDED), (
        submission.status,
        submission.error_message,
    )
    assert submission.provider_job_id


def test_a_real_worker_makes_readiness_pass_and_logs_with_the_request_id(
    transactional_db, live_server, worker, settings, client
):
    """Readiness waits for the worker; the worker's JSON lines for a job carry the id of the request that
    queued it."""
    import json

    from dubweb import logs
    from projects import health

    settings.SITE_URL = live_server.url
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    health.forget_heartbeats()
    assert client.get("/health/ready").status_code == 503

    manager = UserFactory(username="marco")
    team = TeamFactory(slug="studio")
    Membership.objects.create(user=manager, team=team, role=Role.MANAGER)
    project = ProjectFactory(team=team, source_video_url="/static/demo/keynote.mp4")
    submission = submissions.queue(project, Submission.Kind.CREATE_PROJECT, by=manager, enqueue=False)
    token = logs.request_id_var.set("req-from-the-browser")  # as RequestIdMiddleware does
    try:
        async_task("projects.tasks.send_submission", submission.pk, sync=False)
    finally:
        logs.request_id_var.reset(token)

    deadline = time.monotonic() + 60
    while client.get("/health/ready").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert client.get("/health/ready").status_code == 200
    while time.monotonic() < deadline:
        submission.refresh_from_db()
        if submission.status not in (Submission.Status.QUEUED, Submission.Status.SENDING):
            break
        time.sleep(0.5)

    worker.terminate()
    output = worker.communicate(timeout=15)[0].decode()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert lines, output[-2000:]
    of_the_job = [line for line in lines if line.get("request_id") == "req-from-the-browser"]
    assert any(line["logger"] == "dubweb.providers" for line in of_the_job), output[-2000:]
    assert all(line.get("task_id") for line in of_the_job)
