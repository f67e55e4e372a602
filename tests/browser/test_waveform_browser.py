"""A manager meets the demo keynote's waveform on the project page: not computed, computed with the
keyboard, ready; a video without sound says why."""

import shutil

import pytest
from playwright.sync_api import expect

from projects.models import Role, Waveform

from ..factories import MembershipFactory, ProjectFactory, UserFactory
from .conftest import log_in

pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs ffmpeg")


@pytest.fixture
def keynote(transactional_db, settings, tmp_path):
    settings.COMPUTE_WAVEFORMS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    manager = MembershipFactory(user=UserFactory(username="marta"), role=Role.MANAGER).user
    return ProjectFactory(team=manager.teams.get(), title="Product launch keynote",
                          source_video_url="/static/demo/keynote.mp4")  # fmt: skip


def test_a_manager_computes_the_keynote_waveform_with_the_keyboard(page, keynote, screenshot):
    log_in(page, "marta")
    page.goto(keynote.get_absolute_url())
    status = page.get_by_role("status").filter(has_text="Waveform:")
    expect(status).to_contain_text("not computed")
    button = page.get_by_role("button", name="Compute the waveform")
    button.focus()
    page.keyboard.press("Enter")
    # The worker (synchronous in tests) computes it; the card asks again until it is ready.
    expect(status).to_contain_text("ready", timeout=20_000)
    expect(page.get_by_role("button", name="Compute again")).to_be_visible()
    peaks_url = status.get_attribute("data-peaks-url")
    answer = page.request.get(peaks_url)
    assert answer.status == 200 and answer.body()[:4] == b"\x01\x00\x00\x00"
    screenshot(page, "waveform-ready")


def test_a_failed_waveform_says_why(page, keynote, screenshot):
    Waveform.objects.create(project=keynote, status="failed", error_message="This video has no audio track.",
                            source_url=keynote.source_video_url, generation=1)  # fmt: skip
    log_in(page, "marta")
    page.goto(keynote.get_absolute_url())
    expect(page.get_by_role("status").filter(has_text="Waveform:")).to_contain_text(
        "could not be computed. This video has no audio track."
    )
    screenshot(page, "waveform-failed")
