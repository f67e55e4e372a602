"""Two people on the same segment, in chromium: one moves its end, the other types its text. Both are
kept and nobody sees a conflict panel (conflicts are per field); a change of the same field still is one."""

from playwright.sync_api import expect

from projects.models import Segment

from .test_editor_browser import field, keynote, row, show_editor  # noqa: F401 (keynote is a fixture)


def test_timing_by_one_person_and_text_by_another_are_both_kept(people, keynote):  # noqa: F811
    elena, marco = people("elena", "marco")
    for page in (elena, marco):
        show_editor(page, keynote)
    # Both open the first line; Elena's page keeps showing the version before Marco's change.
    row(elena, 1).click()
    row(marco, 1).click()

    end = field(marco, "End")
    end.fill("00:00:03.800")
    end.press("Enter")
    expect(row(marco, 1).locator(".seg-state")).to_have_text("Saved")

    text = field(elena, "Translation")
    text.fill("Bonjour à toutes et à tous.")
    text.press("Control+Enter")
    expect(row(elena, 1).locator(".seg-state")).to_have_text("Saved")
    expect(row(elena, 1).get_by_role("alert")).to_have_count(0)
    expect(row(elena, 1).locator(".seg-end")).to_contain_text("00:00:03.800")  # Marco's end, merged in
    expect(field(elena, "End")).to_have_value("00:00:03.800")
    segment = Segment.objects.get(start_ms=1000)
    assert (segment.end_ms, segment.target_text) == (3800, "Bonjour à toutes et à tous.")

    # Then Marco, whose page still shows the old text, changes the same text: that one is a conflict.
    marco_text = field(marco, "Translation")
    marco_text.fill("Salut tout le monde.")
    marco_text.press("Control+Enter")
    panel = row(marco, 1).get_by_role("alert")
    expect(panel).to_contain_text("Someone else changed this segment")
    expect(panel).to_contain_text("Bonjour à toutes et à tous.")
    assert Segment.objects.get(start_ms=1000).target_text == "Bonjour à toutes et à tous."
