"""Two people on the same segment, in chromium: one moves its end, the other types its text. Both are
kept and nobody sees a conflict panel (conflicts are per field)."""

import re

from playwright.sync_api import expect

from projects.models import Segment

from .test_editor_browser import keynote, open_editor, row  # noqa: F401 (keynote is a fixture)


def test_timing_by_one_person_and_text_by_another_are_both_kept(browser, live_server, keynote):  # noqa: F811
    pages = []
    for username in ("elena", "marco"):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
        page = context.new_page()
        open_editor(page, keynote, username)
        pages.append(page)
    elena, marco = pages

    end = row(marco, 1).get_by_label("End")
    end.fill("00:00:03.800")
    end.press("Tab")
    expect(row(marco, 1).locator(".seg-state")).to_have_text("Saved")

    # Elena's page still shows the version before Marco's change.
    text = row(elena, 1).get_by_label(re.compile("^Translation"))
    text.fill("Bonjour à toutes et à tous.")
    text.press("Control+Enter")
    expect(row(elena, 1).locator(".seg-state")).to_have_text("Saved")
    expect(row(elena, 1).get_by_role("alert")).to_have_count(0)
    expect(row(elena, 1).get_by_label("End")).to_have_value("00:00:03.800")  # Marco's end, merged in

    segment = Segment.objects.get(start_ms=1000)
    assert (segment.end_ms, segment.target_text) == (3800, "Bonjour à toutes et à tous.")
    for page in pages:
        page.context.close()
