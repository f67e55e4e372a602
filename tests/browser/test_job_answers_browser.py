"""A dub dubweb stopped following after unreadable answers: its card says why, shows the provider's
answers, and "Check again" (keyboard only) picks up the finished dub. A project ModelsLab cannot dub
into says so instead of offering the action."""

import pytest
import requests
from playwright.sync_api import expect

from projects.models import Role, Submission
from projects.services import submissions

from ..factories import MembershipFactory, ProjectFactory, UserFactory
from .conftest import log_in


@pytest.fixture
def sandboxed(live_server, settings, tmp_path):
    settings.KEEP_PROVIDER_OUTPUTS = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    settings.DUBFORMER_BASE_URL = f"{live_server.url}/sandbox/dubformer"
    settings.MODELSLAB_BASE_URL = f"{live_server.url}/sandbox/modelslab"
    settings.SANDBOX_READY_AFTER_S = 0
    return live_server


@pytest.fixture
def manager(transactional_db):
    return MembershipFactory(user=UserFactory(username="marco"), role=Role.MANAGER).user


def test_check_again_takes_a_dub_dubweb_had_stopped_following(page, sandboxed, manager, screenshot):
    project = ProjectFactory(
        team=manager.teams.get(), title="Launch keynote", source_video_url="/static/demo/keynote.mp4"
    )
    job = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(job.pk)
    requests.post(f"{sandboxed.url}/sandbox/control/fail", timeout=5, json={"provider": "modelslab",
                  "endpoint": "fetch", "kind": "malformed", "times": submissions.MALFORMED_IN_A_ROW})  # fmt: skip
    for _ in range(submissions.MALFORMED_IN_A_ROW):
        submissions.check(job.pk)
    log_in(page, "marco")
    page.goto(f"/projects/{project.pk}/")
    card = page.locator(f"#job-{job.pk}")
    expect(card).to_contain_text("stopped following this job")
    answers = card.locator("summary", has_text="ModelsLab's answers")
    answers.focus()
    page.keyboard.press("Enter")
    expect(card.locator("pre").first).to_be_visible()
    expect(card).to_contain_text("not readable, looked at again later")
    # Tab order: the card's actions come before its answers.
    expect(card.get_by_role("button").first).to_have_text("Check again")
    screenshot(page, "job-stopped-following")
    button = card.get_by_role("button", name="Check again")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#job-{job.pk}")).to_contain_text("Succeeded", timeout=60_000)
    expect(page.locator(f"#job-{job.pk}")).to_contain_text("Finished after dubweb had stopped following it")
    # the answers opened before stay open through the card's refreshes
    expect(page.locator(f"#job-{job.pk}-answers")).to_have_attribute("open", "")
    screenshot(page, "job-taken-late")


def test_a_project_modelslab_cannot_dub_into_says_why(page, sandboxed, manager, screenshot):
    project = ProjectFactory(team=manager.teams.get(), title="Produktstart", target_language="de-DE")
    log_in(page, "marco")
    page.goto(f"/projects/{project.pk}/")
    panel = page.locator("#providers-panel")
    expect(panel).to_contain_text("ModelsLab cannot dub into German")
    expect(panel.locator("summary", has_text="New ModelsLab dub")).to_have_count(0)
    screenshot(page, "providers-no-modelslab-language")
