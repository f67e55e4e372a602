"""Notifications in chromium: the header's count rises without a reload while the editor is open, and a
notification opens where it points."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from projects.models import Notification
from projects.services import notifications

from .conftest import log_in
from .test_editor_browser import keynote, open_editor  # noqa: F401 (keynote is a fixture)


def test_the_unread_count_rises_in_the_open_editor_and_opens_where_it_points(page, keynote, screenshot):  # noqa: F811
    open_editor(page, keynote, "elena")
    badge = page.locator("#notification-badge")
    expect(badge).to_have_text("")
    users = get_user_model().objects
    notifications.notify(
        [users.get(username="elena")],
        Notification.Kind.MENTION,
        text="marco mentioned you on the line at 0:05",
        url=f"/projects/{keynote.pk}/",
        project=keynote,
        actor=users.get(username="marco"),
    )
    expect(badge).to_have_text("1 unread", timeout=12_000)  # the editor's presence poll brings it

    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1 unread")
    screenshot(page, "notifications")
    page.get_by_role("button", name="marco mentioned you").click()
    page.wait_for_url(f"**/projects/{keynote.pk}/")
    expect(page.locator("#notification-badge")).to_have_text("")
    assert Notification.objects.get().read_at is not None


def test_a_refusal_stays_on_screen_while_background_polls_answer(page, keynote):  # noqa: F811
    """The unread count asks every 20 s: its answer must not take away a message the person has not read."""
    log_in(page, "elena")
    page.goto(f"/projects/{keynote.pk}/")
    problem = page.get_by_role("alert")
    page.evaluate(f"htmx.ajax('GET', '/projects/{keynote.pk}/jobs/999999/answers/', {{swap: 'none'}})")
    expect(problem).to_contain_text("That is no longer there")
    with page.expect_response("**/notifications/count/"):
        page.evaluate(
            "htmx.ajax('GET', '/projects/notifications/count/', {target: '#notification-badge', swap: 'outerHTML'})"
        )
    page.wait_for_timeout(300)  # the answer's swap and its events
    expect(problem).to_contain_text("That is no longer there")
    expect(problem).to_be_visible()
