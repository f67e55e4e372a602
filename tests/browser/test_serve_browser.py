"""`./dev serve`, the README's production mode on one machine, as a person meets it: DEBUG off, gunicorn and
the worker started together, the static files collected under hashed names, a secret key made and kept
(never shown), the security headers on every answer; the sign-in page, a hashed static file and the
editor with its timeline work in chromium under the Content-Security-Policy; Ctrl+C stops everything."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from .conftest import LAUNCH_ARGS, _watch_csp  # noqa: F401 (LAUNCH_ARGS: the same browser)

ROOT = Path(__file__).resolve().parents[2]
# What the test settings put in the environment, and what a CI suite sets for its own run: ./dev serve gets
# none of it (SQLite in its own var dir, the database broker).
NOT_PASSED = {
    "DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "PROVIDER_SANDBOX",
    "SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL",
    "STATIC_ROOT", "DUBWEB_VAR_DIR", "MEDIA_ROOT", "HOST", "PORT", "GUNICORN_BIND", "DB_CONN_MAX_AGE",
}  # fmt: skip


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """`./dev serve` in a process group of its own, its output in a file; the demo data loaded with
    `./dev manage seed_demo` once it answers. Gives (base URL, process, output file, environment)."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    port = free_port()
    env.update(
        DUBWEB_INSTALL="0",  # the packages of this test run; ./dev installs nothing
        VENV=sys.prefix,
        DUBWEB_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        PORT=str(port),
        WEB_CONCURRENCY="1",
        Q_WORKERS="1",
    )
    output = tmp_path / "serve.log"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "dev"), "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # collectstatic compresses every file: slow on two busy cores
        while True:
            assert process.poll() is None, output.read_text()
            try:
                requests.get(f"{base}/accounts/login/", timeout=10)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, output.read_text()
                time.sleep(0.5)
        seeded = subprocess.run(
            [str(ROOT / "dev"), "manage", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=180,
        )  # fmt: skip
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        yield base, process, output, env
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


# ./dev serve runs on its own SQLite file whatever database the suite uses: once per CI run is enough (the
# SQLite suite; the PostgreSQL one would repeat the same two minutes).
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs in the SQLite suite")
def test_dev_serve_runs_production_mode_with_the_worker_and_stops_on_ctrl_c(served, browser):
    base, process, output, env = served
    var = Path(env["DUBWEB_VAR_DIR"])

    # The sign-in page, in production mode, with the security headers and no server version.
    page = requests.get(f"{base}/accounts/login/", timeout=10)
    assert page.status_code == 200 and "Sign in to dubweb" in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in page.headers["Permissions-Policy"]
    assert not re.search(r"\d|python|wsgi", page.headers.get("Server", ""), re.IGNORECASE)
    assert requests.get(f"{base}/no-such-page/", timeout=10).status_code == 404  # DEBUG off: no debug page

    # A static file under its hashed name (collectstatic ran), cached for good.
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text).group(1)
    css = requests.get(base + stylesheet, timeout=10)
    assert css.status_code == 200 and ".timeline-card" in css.text
    assert "immutable" in css.headers["Cache-Control"]

    # A secret key was made for this machine, readable by its owner only, and shown nowhere.
    key_file = var / "secret-key"
    assert key_file.stat().st_mode & 0o077 == 0
    assert key_file.read_text().strip() not in output.read_text()

    # The editor in chromium: signed in over plain HTTP on this machine, the timeline drawn with the
    # hashed wavesurfer modules, nothing refused by the policy; the worker computes the keynote's waveform.
    errors = []
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    _watch_csp(context, errors)
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto("/accounts/login/")
    tab.get_by_label("Username").fill("editor")
    tab.get_by_label("Password").fill("dubweb-demo")
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/projects/my-work/")
    tab.goto("/projects/")
    tab.get_by_role("link", name="Product launch keynote").first.click()
    tab.get_by_role("link", name="Edit script").click()
    timeline = tab.locator("#timeline")
    expect(timeline).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(tab.locator("#segment-list .seg").first).to_be_visible()
    expect(tab.locator("#timeline-wave [data-segment]").first).to_be_visible()
    for _ in range(60):  # the worker, started beside gunicorn, computes the waveform (ffmpeg)
        if tab.locator("#timeline-why").text_content() == "Waveform of the source audio.":
            break
        tab.wait_for_timeout(2000)
        tab.reload()
        expect(timeline).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(tab.locator("#timeline-why")).to_have_text("Waveform of the source audio.")
    context.close()
    assert errors == [], errors

    # Ctrl+C (the terminal signals the whole group): the web server and the worker stop with ./dev serve.
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        left = subprocess.run(
            ["ps", "-o", "pid,stat,etime,args", "-g", str(process.pid)], capture_output=True
        )
        pytest.fail(
            f"./dev serve still runs 90 s after Ctrl+C:\n{left.stdout.decode()}\n{output.read_text()[-4000:]}"
        )
    time.sleep(1)
    left = subprocess.run(["ps", "-o", "pid,stat,etime,args", "-g", str(process.pid)], capture_output=True)
    with pytest.raises(ProcessLookupError):  # no process of the group is left
        os.killpg(process.pid, 0)
        pytest.fail(f"left running after ./dev serve ended:\n{left.stdout.decode()}")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/accounts/login/", timeout=5)
