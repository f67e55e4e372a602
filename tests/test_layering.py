"""The layering holds: provider clients know no Django nor models, dubweb never imports the sandbox, the
sandbox uses only the hook it connects to (contracts in pyproject.toml's [tool.importlinter])."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_the_sandbox_delivers_its_webhooks_through_the_periodic_check(settings, monkeypatch):
    """tasks.py no longer imports the sandbox: the sandbox connects itself to the check's signal."""
    from projects import tasks
    from sandbox import webhooks

    calls = []
    monkeypatch.setattr(webhooks, "deliver_due_webhooks", lambda: calls.append(1))
    monkeypatch.setattr(tasks.submissions, "check_due", lambda: None)
    settings.PROVIDER_SANDBOX = True
    tasks.check_submissions()
    settings.PROVIDER_SANDBOX = False
    tasks.check_submissions()
    assert calls == [1]
