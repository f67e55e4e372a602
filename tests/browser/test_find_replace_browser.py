"""Find and replace in the editor, in chromium: whole words, a preview that is what Apply does, and
the preview gone once applied."""

from playwright.sync_api import expect

from projects.models import Role, Segment

from ..factories import MembershipFactory, ProjectFactory, SegmentFactory, UserFactory
from .conftest import log_in


def test_replace_a_whole_word_and_see_the_preview_cleared(page, transactional_db, screenshot):
    editor = MembershipFactory(user=UserFactory(username="elena"), role=Role.EDITOR).user
    project = ProjectFactory(team=editor.teams.get(), title="Launch keynote")
    for n, text in enumerate(["Take the train.", "These are mine.", "My grandfather said the word."]):
        SegmentFactory(project=project, start_ms=n * 3000, end_ms=n * 3000 + 2500, target_text=text)
    log_in(page, "elena")
    page.goto(f"/projects/{project.pk}/script/")

    page.get_by_label("Find in translations").fill("the")
    page.get_by_label("Replace with").fill("a")
    page.get_by_label("Whole words only").check()
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#replace-preview")
    expect(preview).to_contain_text("2 segments will change")
    expect(preview.locator("ins")).to_have_text(["Take a train.", "My grandfather said a word."])
    screenshot(page.locator("#replace-preview").page, "find-replace-preview")

    page.get_by_role("button", name="Replace in 2 segments").click()
    expect(page.locator("#editor-message")).to_contain_text("Replaced “the” with “a” in 2 segments")
    expect(preview).to_be_empty()  # applied: nothing left to apply again
    texts = list(
        Segment.objects.filter(project=project).order_by("start_ms").values_list("target_text", flat=True)
    )
    assert texts == ["Take a train.", "These are mine.", "My grandfather said a word."]

    # A bad pattern is explained where the preview goes, and changes nothing.
    page.get_by_label("Find in translations").fill("(unclosed")
    page.get_by_label("Regular expression").check()
    page.get_by_role("button", name="Preview").click()
    expect(preview.get_by_role("alert")).to_contain_text("is not a valid regular expression")
