"""`./dev demo`, the README's first command: it answers with the demo data loaded, and a stop signal sent to
it alone (a process manager's, or Ctrl+C's to the terminal's process group) stops the web server and the
worker with it, leaving nothing running."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from .browser.test_serve_browser import NOT_PASSED, ROOT, free_port


def _running_in_session(session_id):
    """The processes left in the session ./dev demo was started in."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == session_id:
                    found.append(int(entry))
            except ProcessLookupError:
                pass
    return found


# ./dev demo runs on its own SQLite file whatever database the suite uses: once per CI run (the SQLite suite).
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs in the SQLite suite")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["TERM to it", "Ctrl+C"])
def test_dev_demo_answers_with_the_demo_logins_and_stops_with_everything_it_started(tmp_path, stop):
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    port = free_port()
    env.update(DUBWEB_INSTALL="0", VENV=sys.prefix, DUBWEB_VAR_DIR=str(tmp_path / "var"), PORT=str(port),
               Q_WORKERS="1")  # fmt: skip
    output = tmp_path / "demo.log"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "dev"), "demo"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, output.read_text()
            try:
                page = requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=10)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, output.read_text()
                time.sleep(0.5)
        assert page.status_code == 200 and "Sign in to dubweb" in page.text
        printed = output.read_text()
        assert f"dubweb is running at  http://127.0.0.1:{port}/" in printed and "dubweb-demo" in printed
        assert len(_running_in_session(process.pid)) >= 3  # the script, the web server, the worker

        if stop == signal.SIGINT:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl+C: the terminal signals the whole group
        else:
            process.send_signal(signal.SIGTERM)  # to the script alone
        process.wait(timeout=40)
        for _ in range(50):
            if not _running_in_session(process.pid):
                break
            time.sleep(0.2)
        assert _running_in_session(process.pid) == [], output.read_text()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
