"""Health checks: liveness answers while the process runs; readiness answers 200 only with the database,
the job broker and a recently seen worker, and 503 naming what is missing."""

import json
from datetime import timedelta

import pytest
from django.db import OperationalError, connections
from django.utils import timezone
from django_q.signals import post_execute_in_worker, pre_execute

from projects import health
from projects.models import WorkerHeartbeat

# As in production: jobs go to a worker (tests run them in-process, where no worker is waited for).
WITH_A_WORKER = {"name": "dubweb", "orm": "default", "sync": False}


@pytest.fixture(autouse=True)
def no_worker_seen(db):
    health.forget_heartbeats()


@pytest.fixture
def production_queue(settings):
    settings.Q_CLUSTER = WITH_A_WORKER
    settings.HEALTH_WORKER_MAX_AGE_S = 300


def answer(client, path, **headers):
    response = client.get(path, **headers)
    return response.status_code, json.loads(response.content)


def test_liveness_answers_without_the_database_and_for_any_host(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        status, body = answer(client, "/health/live", HTTP_HOST="10.0.3.7:8000")
    assert (status, body) == (200, {"status": "ok"})


def test_readiness_waits_for_a_worker_then_answers_200(client, production_queue):
    status, body = answer(client, "/health/ready")
    assert status == 503
    assert body["failed"] == ["worker"]
    assert body["checks"] == {"database": "ok", "broker": "ok", "worker": "never seen"}

    # What django-q2's worker sends around each task it runs.
    task = {"id": "abc", "name": "check-submissions"}
    pre_execute.send(sender="django_q", func=None, task=task)
    post_execute_in_worker.send(sender="django_q", func=None, task=task)

    status, body = answer(client, "/health/ready")
    assert status == 200
    assert body["status"] == "ok" and body["checks"]["worker"] == "seen 0 s ago"
    assert "failed" not in body


def test_a_worker_gone_quiet_makes_readiness_fail(client, production_queue):
    WorkerHeartbeat.objects.create(worker="old-host/dubweb", seen_at=timezone.now() - timedelta(minutes=10))
    status, body = answer(client, "/health/ready")
    assert status == 503
    assert body["checks"]["worker"] == "last seen 600 s ago"


def test_tasks_run_inside_the_web_process_are_no_sign_of_a_worker(client, production_queue):
    task = {"id": "abc", "name": "x", "sync": True}
    pre_execute.send(sender="django_q", func=None, task=task)
    post_execute_in_worker.send(sender="django_q", func=None, task=task)
    assert answer(client, "/health/ready")[0] == 503


def test_the_worker_check_can_be_turned_off(client, production_queue, settings):
    settings.HEALTH_WORKER_MAX_AGE_S = 0
    assert answer(client, "/health/ready") == (
        200,
        {"status": "ok", "checks": {"database": "ok", "broker": "ok", "worker": "not checked"}},
    )


def test_readiness_says_the_database_is_down(client, production_queue, monkeypatch):
    health.record_heartbeat(force=True)

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "10.0.0.3", port 5432 failed: password for "dubweb"')

    monkeypatch.setattr(connections["default"], "ensure_connection", refuse)
    response = client.get("/health/ready")
    monkeypatch.undo()
    body = json.loads(response.content)
    assert response.status_code == 503
    # The database is the ORM broker too; nothing of the error (hosts, users) is in the answer.
    assert body["failed"] == ["database", "broker", "worker"]
    assert body["checks"]["database"] == "unreachable"
    assert "10.0.0.3" not in response.content.decode() and "dubweb" not in body["checks"].values()


def test_readiness_says_redis_is_down(client, production_queue, settings):
    health.record_heartbeat(force=True)
    settings.Q_CLUSTER = {**WITH_A_WORKER, "redis": "redis://:pw-in-url@127.0.0.1:9/0"}
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert json.loads(response.content)["failed"] == ["broker"]
    assert "pw-in-url" not in response.content.decode()


def test_health_checks_are_not_redirected_to_https_and_set_no_cookie(client, production_queue, settings):
    settings.SECURE_SSL_REDIRECT = True
    health.record_heartbeat(force=True)
    response = client.get("/health/ready", HTTP_HOST="10.0.3.7")
    assert response.status_code == 200
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]
    # Other pages still go to HTTPS.
    assert client.get("/accounts/login/").status_code == 301


def test_health_checks_refuse_posts(client):
    assert client.post("/health/live").status_code == 405


@pytest.fixture
def redis_url(tmp_path):
    import shutil
    import socket
    import subprocess
    import time

    import redis

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(10)


def test_readiness_with_the_redis_broker(client, production_queue, settings, redis_url):
    settings.Q_CLUSTER = {**WITH_A_WORKER, "redis": redis_url}
    health.record_heartbeat(force=True)
    assert answer(client, "/health/ready")[0] == 200
