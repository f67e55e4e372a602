"""A segment's history in chromium: open it from the editor, restore an earlier version (undoable), and
a restore refused because someone else changed the segment meanwhile. Screenshots of the panel and
the activity feeds at desktop and phone width."""

import os
import shutil
from pathlib import Path

from playwright.sync_api import expect

from projects.models import Segment

from .conftest import ARTIFACTS
from .test_editor_browser import field, keynote, open_editor, row  # noqa: F401 (keynote is a fixture)

SHOTS = Path(os.environ.get("DUBWEB_SHOTS_DIR", "/tmp/shots_h"))


def shoot(page, screenshot, name):
    screenshot(page, name)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        for width in ("desktop", "narrow"):
            shutil.copy(ARTIFACTS / f"{name}-{width}.png", SHOTS / f"{name}-{width}.png")
        # What a phone shows (a full page of the editor at 390 px is too long to look at).
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=SHOTS / f"{name}-390-screen.png")
        page.set_viewport_size({"width": 1280, "height": 860})


def save_text(page, n, text):
    row(page, n).click()
    box = field(page, "Translation")
    box.fill(text)
    box.press("Control+Enter")
    expect(row(page, n).locator(".seg-text")).to_have_text(text)


def test_history_lists_the_changes_and_restores_an_earlier_version(page, keynote, screenshot):  # noqa: F811
    open_editor(page, keynote)
    save_text(page, 1, "Bonjour à toutes et à tous.")
    end = field(page, "End")
    end.fill("00:00:03.500")
    end.press("Enter")
    expect(row(page, 1).locator(".seg-end")).to_contain_text("00:00:03.500")
    save_text(page, 1, "Bonjour à toutes et à tous, bienvenue.")

    row(page, 1).click()
    page.get_by_role("button", name="History").click()
    panel = page.get_by_role("dialog", name="History of the segment at 00:00:01.000")
    expect(panel).to_be_visible()
    entries = panel.locator(".history-item")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_contain_text("elena")
    expect(entries.nth(0).locator("del")).to_have_text("tous.")
    expect(entries.nth(0).locator("ins")).to_have_text("tous, bienvenue.")
    expect(entries.nth(1)).to_contain_text("End: 00:00:04.000 → 00:00:03.500")
    shoot(page, screenshot, "segment-history")

    # The first version, from before any change: text and end come back together.
    panel.get_by_role("button", name="Restore the version before this change").click()
    expect(panel).to_be_hidden()
    expect(row(page, 1).locator(".seg-text")).to_have_text("Bonjour à tous, et bienvenue.")
    expect(page.locator("#editor-message")).to_contain_text("Restored the segment at 00:00:01.000")
    segment = Segment.objects.get(start_ms=1000)
    assert (segment.end_ms, segment.target_text) == (4000, "Bonjour à tous, et bienvenue.")

    # The restore is an edit like the others: undo takes it back.
    page.locator("#editor-message").get_by_role("button", name="Undo").click()
    expect(row(page, 1).locator(".seg-text")).to_have_text("Bonjour à toutes et à tous, bienvenue.")

    # The keyboard opens it too, and Escape closes it.
    row(page, 1).click()
    page.keyboard.press("Alt+h")
    expect(panel).to_be_visible()
    expect(panel.locator(".history-item").first).to_contain_text("Undid")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    page.goto(f"/projects/{keynote.pk}/")
    activity = page.get_by_role("region", name="Activity")
    expect(activity.locator(".feed-entry").first).to_contain_text("elena undid")
    shoot(page, screenshot, "project-page")
    activity.get_by_role("link", name="All activity").click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    expect(page.locator(".feed-entry").first).to_contain_text("elena undid")
    shoot(page, screenshot, "project-activity")
    page.get_by_role("link", name="Activity", exact=True).click()
    expect(page.get_by_role("heading", name="Activity of")).to_be_visible()
    shoot(page, screenshot, "team-activity")


def test_a_restore_after_someone_else_edited_says_so_and_keeps_their_text(browser, live_server, keynote):  # noqa: F811
    pages = []
    for username in ("elena", "marco"):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(10_000)
        page = context.new_page()
        open_editor(page, keynote, username)
        pages.append(page)
    elena, marco = pages
    save_text(elena, 2, "Merci d'être venues.")

    row(elena, 2).click()
    elena.keyboard.press("Alt+h")
    panel = elena.get_by_role("dialog")
    expect(panel.locator(".history-item")).to_have_count(1)

    marco.reload()  # meanwhile, in another browser, Marco (who sees Elena's text) changes it again
    save_text(marco, 2, "Merci à vous d'être là.")

    panel.get_by_role("button", name="Restore the version before this change").click()
    expect(panel.locator("#history-status")).to_contain_text("changed since you opened its history")
    expect(panel.locator("#history-status")).to_contain_text("Merci à vous d'être là.")
    assert Segment.objects.get(start_ms=5000).target_text == "Merci à vous d'être là."

    # Reloading the history shows Marco's change, and restoring from there works.
    panel.get_by_role("button", name="Reload the history").click()
    expect(panel.locator(".history-item")).to_have_count(2)
    expect(panel.locator(".history-item").first).to_contain_text("marco")
    panel.get_by_role("button", name="Restore this version").last.click()
    expect(row(elena, 2).locator(".seg-text")).to_have_text("Merci d'être venues.")
    for page in pages:
        page.context.close()
