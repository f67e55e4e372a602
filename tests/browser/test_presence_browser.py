"""Two people in one script, in chromium: each sees the other and the line they are on, and a line one of
them saves, adds or deletes shows up on the other's screen within a few seconds, without a reload and
without disturbing what the other is typing."""

from playwright.sync_api import expect

from projects.models import Segment

from .conftest import leave_quietly
from .test_editor_browser import field, keynote, open_editor, row, rows  # noqa: F401 (keynote is a fixture)

POLL = 12_000  # the editor asks every 4 s: a change is on screen within two polls


def test_others_and_their_changes_arrive_while_typing(browser, live_server, keynote, screenshot):  # noqa: F811
    pages = {}
    for username in ("elena", "marco"):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(POLL)
        pages[username] = context.new_page()
        open_editor(pages[username], keynote, username)
    elena, marco = pages["elena"], pages["marco"]

    row(marco, 2).click()
    row(elena, 1).click()
    typing = field(elena, "Translation")
    typing.fill("Bonjour à toutes et à tous")  # not saved yet: Elena is still typing

    expect(elena.locator("#presence")).to_contain_text("marco")
    expect(row(elena, 2).locator(".seg-here")).to_have_text("marco")  # the line Marco is on
    expect(marco.locator("#presence")).to_contain_text("elena")
    expect(row(marco, 1).locator(".seg-here")).to_have_text("elena")

    # Marco changes the third line: it changes on Elena's screen; her typing and focus stay as they were.
    row(marco, 3).click()
    marco_text = field(marco, "Translation")
    marco_text.fill("Commençons par les résultats.")
    marco_text.press("Control+Enter")
    expect(row(marco, 3).locator(".seg-state")).to_have_text("Saved")
    expect(row(elena, 3).locator(".seg-text")).to_have_text("Commençons par les résultats.")
    expect(typing).to_have_value("Bonjour à toutes et à tous")
    expect(typing).to_be_focused()
    expect(row(elena, 3).locator(".seg-here")).to_have_text("marco")  # Marco moved there
    screenshot(elena, "editor-presence")

    # Marco adds a line after the last one, then deletes the fourth: Elena's list follows.
    row(marco, 5).click()
    marco.locator("[data-command=insert]").click()
    expect(rows(marco)).to_have_count(6)
    expect(rows(elena)).to_have_count(6)
    fourth = Segment.objects.get(target_text="Les ventes ont doublé.")
    row(marco, 4).click()
    marco.keyboard.press("Alt+Delete")
    expect(rows(marco)).to_have_count(5)
    expect(elena.locator(f"#seg-{fourth.pk}")).to_have_count(0)
    expect(rows(elena)).to_have_count(5)

    # Elena's own line is hers to save: the conflict rules still protect it.
    typing.press("Control+Enter")
    expect(row(elena, 1).locator(".seg-state")).to_have_text("Saved")
    assert Segment.objects.get(start_ms=1000).target_text == "Bonjour à toutes et à tous"
    for page in pages.values():
        page.context.close()


def test_presence_starts_even_when_its_first_answer_fails(browser, live_server, keynote):  # noqa: F811
    """A failed first poll (a restart, a proxy's 502) must not leave the page without presence, the others'
    changes and the unread count for as long as it stays open: the page keeps asking until it is answered."""
    pages = {}
    for username in ("elena", "marco"):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(POLL)
        pages[username] = context.new_page()
    elena, marco = pages["elena"], pages["marco"]
    failed = []

    def fail_the_first(route):
        if not failed:
            failed.append(route.request.url)
            route.fulfill(status=502, body="Bad gateway")
        else:
            route.continue_()

    elena.route("**/script/presence/", fail_the_first)
    open_editor(marco, keynote, "marco")
    open_editor(elena, keynote, "elena")
    expect(elena.locator("#presence")).to_contain_text("marco", timeout=POLL)
    assert len(failed) == 1
    for page in pages.values():
        leave_quietly(page)
        page.context.close()
