"""Handing a project out in chromium: a manager assigns Elena with a due date on the project page; Elena
lands on My work after signing in and finds it there, with its progress."""

from playwright.sync_api import expect

from .conftest import log_in
from .test_editor_browser import keynote  # noqa: F401 (a fixture)


def test_assign_then_find_it_in_my_work(browser, live_server, keynote, screenshot):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    marco = context.new_page()
    log_in(marco, "marco")
    marco.goto(f"/projects/{keynote.pk}/")
    card = marco.locator("#assignments")
    card.get_by_label("Person").select_option(label="elena")
    card.get_by_label("Task").select_option("translate")
    card.get_by_label("Due").fill("2026-12-24")
    card.get_by_role("button", name="Assign").click()
    expect(card.get_by_role("status")).to_have_text("elena is assigned to translate it.")
    expect(card.get_by_role("listitem")).to_contain_text("due 24 Dec 2026")
    screenshot(marco, "project-assignments")
    context.close()

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    elena = context.new_page()
    log_in(elena, "elena")  # lands on My work
    assigned = elena.get_by_role("region", name="Assigned to me")
    expect(assigned).to_contain_text("Launch keynote")
    expect(assigned).to_contain_text("Due 24 Dec 2026")
    expect(assigned).to_contain_text("0 of 5 approved")
    expect(elena.locator("#notification-badge")).to_have_text("1 unread")
    screenshot(elena, "my-work")
    assigned.get_by_role("link", name="Open the editor").click()
    expect(elena.locator("#segment-list .seg")).to_have_count(5)
    context.close()
