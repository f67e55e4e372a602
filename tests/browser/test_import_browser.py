"""The import preview when speakers were guessed from "Name:" prefixes, in chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from projects.models import Role

from ..factories import MembershipFactory, ProjectFactory, SpeakerFactory, UserFactory, make_segments
from .conftest import log_in

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def play(transactional_db):
    editor = MembershipFactory(user=UserFactory(username="elena"), role=Role.EDITOR).user
    project = ProjectFactory(team=editor.teams.get(), title="The Importance of Being Earnest")
    make_segments(project, 12, speaker=SpeakerFactory(project=project, speaker_id=1, name="Narrator"))
    return project


def test_guessed_speakers_are_shown_and_can_be_switched_off_before_importing(page, play, screenshot):
    log_in(page, "elena")
    page.goto(f"/projects/{play.pk}/import/")
    page.get_by_label("Script file").set_input_files(DATA / "earnest.srt")
    page.get_by_role("button", name="Upload and check").click()

    guesses = page.get_by_role("region", name="Speakers found in “Name:” prefixes")
    expect(guesses.get_by_role("listitem")).to_have_text(["ALGERNON · 4 lines", "LANE · 3 lines"])
    detect = page.get_by_label("Detect speakers from “Name:” prefixes")
    expect(detect).to_be_checked()
    first_row = page.get_by_role("table").get_by_role("row").nth(1)
    expect(first_row).to_contain_text("ALGERNON")
    expect(first_row).to_contain_text("Did you hear what I was playing, Lane?")
    screenshot(page, "import-preview-speakers")

    # Keyboard alone: untick the box, then update the preview.
    detect.focus()
    page.keyboard.press("Space")
    expect(detect).not_to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Update preview")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("holds 8 segments and 0 speakers")).to_be_visible()
    expect(first_row).to_contain_text("ALGERNON: Did you hear what I was playing, Lane?")
    expect(detect).not_to_be_checked()
    screenshot(page, "import-preview-speakers-off")

    page.get_by_role("button", name="Replace script").click()
    expect(page.get_by_text("Imported 8 segments and 0 speakers from earnest.srt.")).to_be_visible()
    texts = list(play.segments.order_by("start_ms").values_list("target_text", "speaker"))
    assert texts[0] == ("ALGERNON: Did you hear what I was playing, Lane?", None)
    assert texts[1] == ("LANE: I didn't think it polite to listen, sir.", None)
    # The narrator has no line left: dropped (the backup keeps the old script and its speaker).
    assert not play.speakers.exists()
