"""Segment review in chromium, two people: the editor changes an approved line, which goes back to needs
review; the reviewer filters what needs review, asks for changes on one line with a reason, and approves
the rest in bulk by keyboard. The progress follows."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from projects.models import ReviewStatus, Role, Segment
from projects.services import review

from ..factories import MembershipFactory, ProjectFactory, SegmentFactory, SpeakerFactory, UserFactory
from .conftest import ARTIFACTS, log_in
from .test_editor_browser import field, row, rows

SHOTS = Path("/tmp/shots_e")


@pytest.fixture
def reviewed_keynote(transactional_db):
    editor = MembershipFactory(user=UserFactory(username="elena"), role=Role.EDITOR).user
    team = editor.teams.get()
    reviewer = MembershipFactory(user=UserFactory(username="rita"), team=team, role=Role.REVIEWER).user
    project = ProjectFactory(team=team, title="Launch keynote", video_duration_ms=43_000)
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna")
    texts = ["Bonjour à tous, et bienvenue.", "Merci d'être venus si nombreux.", "Commençons par les chiffres.",
             "Les ventes ont doublé.", "C'est un record historique."]  # fmt: skip
    segments = [
        SegmentFactory(
            project=project,
            start_ms=1000 + n * 4000,
            end_ms=4000 + n * 4000,
            target_text=text,
            source_text=f"English line {n + 1}",
            speaker=anna,
        )  # fmt: skip
        for n, text in enumerate(texts)
    ]
    review.move(project, "request_review", segment_pks=[s.pk for s in segments], by=editor)
    review.move(project, "approve", segment_pks=[segments[0].pk], by=reviewer)
    return project


def open_as(browser, live_server, project, username):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, username)
    page.goto(f"/projects/{project.pk}/script/")
    expect(rows(page)).to_have_count(5)
    return page, errors


def status(page, n):
    return row(page, n).locator(".review")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, suffix in ((1280, "desktop"), (390, "narrow")):
        page.set_viewport_size({"width": width, "height": 860 if width > 400 else 844})
        page.screenshot(path=ARTIFACTS / f"{name}-{suffix}.png", full_page=True)
        shutil.copy(ARTIFACTS / f"{name}-{suffix}.png", SHOTS / f"{name}-{suffix}.png")
    page.set_viewport_size({"width": 1280, "height": 860})


def test_an_edit_reopens_review_and_the_reviewer_asks_for_changes_then_approves_the_rest(
    browser, live_server, reviewed_keynote
):
    editor, editor_errors = open_as(browser, live_server, reviewed_keynote, "elena")
    expect(status(editor, 1)).to_have_text("Approved")
    expect(editor.locator("#review-progress")).to_contain_text("Approved 1")

    # The editor changes the approved first line: it needs review again.
    panels_asked = []
    editor.on(
        "request",
        lambda r: panels_asked.append(r.url) if "/quality/" in r.url or "/progress/" in r.url else None,
    )
    row(editor, 1).click()
    text = field(editor, "Translation")
    text.fill("Bonjour à toutes et à tous.")
    text.press("Control+Enter")
    expect(row(editor, 1).locator(".seg-state")).to_have_text("Saved")
    expect(status(editor, 1)).to_have_text("Needs review")
    expect(editor.locator("#review-progress")).to_contain_text("Approved 0")
    # The save's own answer moved the progress: the page asks for no panel after it (it used to ask for
    # the quality summary and the progress 400 ms after each change).
    editor.wait_for_timeout(700)
    assert panels_asked == []
    expect(editor.get_by_role("button", name="Approve", exact=True)).to_have_count(
        0
    )  # editors do not approve

    # The reviewer, in a second browser, shows only what needs review.
    reviewer, reviewer_errors = open_as(browser, live_server, reviewed_keynote, "rita")
    expect(reviewer.locator("#seg-editor")).to_have_count(0)  # read-only rows, review actions only
    reviewer.get_by_label("Review", exact=True).select_option(label="Needs review")
    expect(reviewer.get_by_role("status").filter(has_text="5 segments match")).to_be_visible()
    expect(row(reviewer, 1).locator(".seg-text")).to_have_text("Bonjour à toutes et à tous.")

    # Changes on the second line, with a reason.
    row(reviewer, 2).click()
    expect(reviewer.locator("#review-current")).to_contain_text("Needs review")
    reviewer.get_by_label("Reason for changes").fill("Trop long pour la durée : raccourcir.")
    reviewer.get_by_role("button", name="Request changes", exact=True).click()
    expect(status(reviewer, 2)).to_have_text("Changes requested")
    expect(row(reviewer, 2).locator(".review-reason")).to_contain_text("by rita: Trop long pour la durée")

    # The rest in bulk, by keyboard: Space selects a row, the arrows move, Alt+A approves the selection.
    row(reviewer, 1).focus()
    for step in range(5):
        if step != 1:
            reviewer.keyboard.press("Space")
        if step < 4:
            reviewer.keyboard.press("ArrowDown")
    expect(reviewer.locator("[data-review-selection-count]")).to_have_text("4 selected")
    reviewer.keyboard.press("Alt+A")
    expect(reviewer.locator("#editor-message")).to_contain_text("Approved 4 segments")
    for n in (1, 3, 4, 5):
        expect(status(reviewer, n)).to_have_text("Approved")
    expect(status(reviewer, 2)).to_have_text("Changes requested")
    expect(reviewer.locator("#review-progress")).to_contain_text("Approved 4")
    expect(reviewer.locator("#review-progress")).to_contain_text("Changes requested 1")
    stored = dict(Segment.objects.values_list("target_text", "review_status"))
    assert stored["Merci d'être venus si nombreux."] == ReviewStatus.CHANGES_REQUESTED
    assert sorted(stored.values()).count(ReviewStatus.APPROVED) == 4

    reviewer.keyboard.press("?")
    expect(reviewer.get_by_role("dialog")).to_contain_text("Approve the selected segments")
    reviewer.keyboard.press("Escape")
    row(reviewer, 2).click()
    shoot(reviewer, "review-reviewer")
    editor.reload()
    row(editor, 2).click()
    shoot(editor, "review-editor")
    assert editor_errors == [] and reviewer_errors == []
    editor.context.close()
    reviewer.context.close()
