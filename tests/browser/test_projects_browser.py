"""A team member's way through the project list, a project page and a script import, in chromium."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from projects.models import Project, Role

from ..factories import MembershipFactory, ProjectFactory, SpeakerFactory, UserFactory, make_segments
from .conftest import log_in

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def studio(transactional_db):
    editor = MembershipFactory(user=UserFactory(username="elena"), role=Role.EDITOR).user
    team = editor.teams.get()
    keynote = ProjectFactory(team=team, title="Launch keynote", status=Project.Status.IN_REVIEW)
    anna = SpeakerFactory(project=keynote, speaker_id=1, name="Anna")
    make_segments(keynote, 40, speaker=anna)
    ProjectFactory(team=team, title="Cooking show", target_language="de-DE")
    ProjectFactory(title="Rival secret project")  # another team
    return {"team": team, "keynote": keynote}


def test_list_search_and_project_page(page, studio, screenshot):
    log_in(page, "elena")
    page.get_by_role("link", name="Projects", exact=True).click()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(3)  # header + the team's two projects
    expect(page.get_by_text("Rival secret project")).to_have_count(0)
    screenshot(page, "project-list")

    # The list filters as you type, without reloading the page.
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Search").fill("cook")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name="Cooking show")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert "q=cook" in page.url

    page.get_by_label("Search").fill("")
    page.get_by_role("link", name="Launch keynote").click()
    expect(page.get_by_role("heading", name="Launch keynote")).to_be_visible()
    # A summary and the first rows, not the whole script: the editor is the next click.
    expect(page.get_by_role("heading", name=re.compile("^Script \\d"))).to_contain_text("40 segments")
    expect(page.get_by_text("Ligne cible 19", exact=True)).to_be_visible()
    expect(page.get_by_text("Ligne cible 39", exact=True)).to_have_count(0)
    expect(page.get_by_text("No problems found.")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Segments approved")).to_be_visible()
    screenshot(page, "project-page")
    page.get_by_role("link", name="Open the editor").click()
    expect(page.get_by_role("heading", name=re.compile("^Script editor"))).to_be_visible()


def test_import_replaces_the_script_after_confirmation(page, studio, screenshot):
    keynote = studio["keynote"]
    log_in(page, "elena")
    page.goto(f"/projects/{keynote.pk}/")
    page.get_by_role("link", name="Import script").first.click()

    # A broken file first: the problems are listed by line and nothing changes.
    page.get_by_label("Script file").set_input_files(
        files=[{"name": "broken.srt", "mimeType": "text/plain",
                "buffer": b"1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:09,000 --> 00:00:03,000\nbackwards\n"}]
    )  # fmt: skip
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("alert")).to_contain_text("Line 6: the cue ends (00:00:03.000) before it starts")
    screenshot(page, "import-problems")
    assert keynote.segments.count() == 40

    page.get_by_label("Script file").set_input_files(DATA / "keynote.srt")
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name="Replace the script?")).to_be_visible()
    expect(page.get_by_text("Welcome, everyone, to the launch.")).to_be_visible()
    screenshot(page, "import-confirm")
    page.get_by_role("button", name="Replace script").click()

    expect(page.get_by_text("Imported 3 segments and 2 speakers from keynote.srt.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Script \\d"))).to_contain_text("3 segments")
    expect(page.get_by_text("Before importing keynote.srt")).to_be_visible()
    assert keynote.segments.count() == 3


def test_keyboard_alone_signs_in_and_opens_a_project(page, studio):
    page.goto("/accounts/login/")
    page.keyboard.type("elena")  # the username field has focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type("pass-for-tests")
    page.keyboard.press("Enter")
    page.wait_for_url("**/projects/my-work/")  # the landing page: what the person has been handed
    # Tab to "Projects" in the header, open it, then tab to the first project link and open it with Enter.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Projects":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/projects/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Launch keynote":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Launch keynote")).to_be_visible()
