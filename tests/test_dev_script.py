"""./dev keeps everything it writes where DUBWEB_VAR_DIR says, its pip log included."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_pip_log_goes_to_dubweb_var_dir(tmp_path):
    # A stand-in virtualenv whose pip fails at once: ./dev must then show the log and say where it is.
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "pip says: no network today"\nexit 1\n')
    python.chmod(0o755)
    var_dir = tmp_path / "var"
    repo_log = ROOT / "var" / "pip.log"
    before = repo_log.stat().st_mtime_ns if repo_log.exists() else None

    result = subprocess.run(
        [str(ROOT / "dev"), "test"],
        env={**os.environ, "VENV": str(tmp_path / "venv"), "DUBWEB_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "pip says: no network today" in (var_dir / "pip.log").read_text()
    assert f"in {var_dir}/pip.log" in result.stderr
    assert (repo_log.stat().st_mtime_ns if repo_log.exists() else None) == before
