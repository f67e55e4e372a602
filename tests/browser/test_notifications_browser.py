"""Notifications in chromium: the header's count rises without a reload while the editor is open, and a
notification opens where it points."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from projects import access
from projects.models import Notification, Role, Segment
from projects.services import comments, notifications

from ..factories import MembershipFactory, UserFactory
from .conftest import log_in
from .long_scripts import long_script, segment_id
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


def test_a_mention_on_a_line_far_down_opens_the_editor_at_that_line_with_its_thread(page, transactional_db):
    project = long_script(600)  # the line is past the first screen and the three chunks after it
    marco = MembershipFactory(user=UserFactory(username="marco"), team=project.team, role=Role.REVIEWER).user
    far = Segment.objects.get(pk=segment_id(project, 520))
    as_marco = access.get_project_for(marco, project.pk, "comment")
    comments.comment_on_segment(as_marco, far, "@elena this line runs long", by=marco)

    log_in(page, "elena")
    page.goto("/projects/notifications/")
    page.get_by_role("button", name="marco mentioned you").click()

    # The thread is open over the line it is about...
    thread = page.get_by_role("dialog")
    expect(thread).to_contain_text("@elena this line runs long", timeout=20_000)  # three chunks to load first
    # ...and closing it leaves the person on that line, in view and current (its text in the editor).
    page.keyboard.press("Escape")
    row = page.locator(f"#seg-{far.pk}")
    expect(row).to_be_focused()
    expect(row).to_have_class(re.compile("is-current"))
    expect(row).to_be_in_viewport()
    expect(page.locator("#seg-editor").get_by_label(re.compile("^Translation"))).to_have_value(
        "Réplique 520."
    )
