"""Production mode refuses to start unsafe, and passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="dubweb.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_mode_passes_check_deploy(tmp_path):
    production = {
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-" + "x7Q!p2" * 8,
        "ALLOWED_HOSTS": "dubweb.example.com",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    assert manage("collectstatic", "--noinput", "-v", "0", **production).returncode == 0  # README, Production
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="dubweb.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts():
    result = manage("check", DEBUG="0", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_debug_mode_starts_with_a_generated_key(tmp_path):
    result = manage("check", DEBUG="1", DUBWEB_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "dev-secret-key").read_text()) > 40
