"""Production mode works from the README alone: collectstatic, migrate, gunicorn. Without collectstatic the
server refuses to start and says why, instead of answering 500 on every page."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core import checks
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def production_env(tmp_path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dubweb.settings",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "x7Q!p2" * 8,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DUBWEB_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        **extra,
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.mark.django_db
def test_without_collectstatic_the_check_fails_and_after_it_pages_render(tmp_path):
    with override_settings(DEBUG=False, STATIC_ROOT=tmp_path / "static", STORAGES=MANIFEST_STORAGE):
        errors = checks.run_checks(tags=["dubweb_static"])
        assert [error.id for error in errors] == ["dubweb.E001"]
        assert "collectstatic" in errors[0].hint
        # What the check prevents: each page answers 500.
        assert Client(raise_request_exception=False).get(reverse("login")).status_code == 500

        call_command("collectstatic", interactive=False, verbosity=0)
        assert checks.run_checks(tags=["dubweb_static"]) == []
        page = Client().get(reverse("login"))
        assert page.status_code == 200 and "Sign in to dubweb" in page.content.decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_refuses_to_start_without_collectstatic_then_serves_the_site(tmp_path):
    port = free_port()
    env = production_env(tmp_path, PORT=str(port), WEB_CONCURRENCY="1")
    assert manage(env, "migrate", "--noinput", "-v", "0").returncode != 0  # says why: no static files
    gunicorn = [sys.executable, "-m", "gunicorn", "dubweb.wsgi"]
    refused = subprocess.run(gunicorn, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "collectstatic" in refused.stderr

    # The README's production start.
    assert manage(env, "collectstatic", "--noinput", "-v", "0").returncode == 0
    migrated = manage(env, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = requests.get(f"{base}/accounts/login/", timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.2)
        assert page.status_code == 200 and "Sign in to dubweb" in page.text
        stylesheet = next(
            part.split('"')[0] for part in page.text.split('href="/static/')[1:] if ".css" in part
        )
        assert requests.get(f"{base}/static/{stylesheet}", timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize(("given", "expected"), [(None, 0), ("60", 60)])
def test_db_conn_max_age_is_read_from_the_environment(tmp_path, given, expected):
    env = production_env(tmp_path, DATABASE_URL="postgres://dubweb@db.invalid:5432/dubweb")
    if given is not None:
        env["DB_CONN_MAX_AGE"] = given
    shown = manage(
        env,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == str(expected)
