"""Retry asks first, in the card, by keyboard alone: what it sends again, to whom, and the cost known."""

import pytest
from playwright.sync_api import expect

from projects.models import Submission

from .conftest import log_in
from .test_providers_browser import keynote, sandboxed  # noqa: F401 (fixtures)

SHOTS = "/tmp/shots_c"


@pytest.fixture
def failed_dub(keynote, settings):  # noqa: F811
    settings.SANDBOX_READY_AFTER_S = 600  # a dub sent again keeps running
    return Submission.objects.create(project=keynote, provider=Submission.Provider.MODELSLAB,
                                     kind=Submission.Kind.NEW_DUB, status=Submission.Status.FAILED,
                                     options={"voice_id": "henry"}, cost_minutes=12.5,
                                     error_message="ModelsLab refused the dub.")  # fmt: skip


def test_retry_is_confirmed_in_the_card_by_keyboard(page, sandboxed, keynote, failed_dub):  # noqa: F811
    log_in(page, "marco")
    page.goto(f"/projects/{keynote.pk}/")
    card = page.locator(f"#job-{failed_dub.pk}")
    card.get_by_role("button", name="Retry…").focus()
    page.keyboard.press("Enter")
    question = card.get_by_role("group", name="Send “New ModelsLab dub” to ModelsLab again?")
    expect(question).to_be_focused()
    expect(question).to_contain_text("ModelsLab may charge it again, about 12.5 min")
    page.screenshot(path=f"{SHOTS}/retry-confirm-desktop.png")
    page.set_viewport_size({"width": 390, "height": 844})
    question.scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/retry-confirm-narrow.png")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.keyboard.press("Tab")
    expect(question.get_by_role("button", name="Send again to ModelsLab")).to_be_focused()
    page.keyboard.press("Tab")
    expect(question.get_by_role("button", name="Do not send")).to_be_focused()
    page.keyboard.press("Enter")
    expect(question).to_have_count(0)
    expect(card).to_be_focused()
    assert Submission.objects.count() == 1  # nothing sent

    card.get_by_role("button", name="Retry…").focus()
    page.keyboard.press("Enter")
    expect(question).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(card).to_contain_text("Sent again as a new job, first in the list.")
    expect(page.locator(".job").first).to_contain_text("New ModelsLab dub")
    expect(page.locator(".job").first).to_be_focused()
    assert Submission.objects.count() == 2
