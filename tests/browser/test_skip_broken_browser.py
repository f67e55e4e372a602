"""A subtitle file with a broken block: refused with its line, then, by choice, imported without it."""

from playwright.sync_api import expect

from .conftest import log_in
from .test_import_browser import play  # noqa: F401 (fixture: elena's project with a script)

SHOTS = "/tmp/shots_c"
BROKEN = (
    "1\n00:00:01,000 --> 00:00:02,000\nCaption text #1\n\n"
    "2\nCaption text #2\n\n"
    "3\n00:00:05,000 --> 00:00:06,000\nCaption text #3\n"
)


def shoot(page, name):
    page.screenshot(path=f"{SHOTS}/{name}-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{SHOTS}/{name}-narrow.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})


def test_a_broken_block_is_refused_then_skipped_by_choice(page, play):  # noqa: F811
    log_in(page, "elena")
    page.goto(f"/projects/{play.pk}/import/")
    page.get_by_label("Script file").set_input_files(
        {"name": "broken.srt", "mimeType": "application/x-subrip", "buffer": BROKEN.encode()}
    )
    page.get_by_role("button", name="Upload and check").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("The file was not imported")
    expect(refusal).to_contain_text("Line 5: a block without a timing line: “2 / Caption text #2”.")
    shoot(page, "import-broken-refused")

    page.get_by_role("link", name="Skip the broken block and import the rest…").click()
    skipped = page.get_by_role("region", name="1 broken block is left out")
    expect(skipped.get_by_role("listitem")).to_have_text(
        ["Line 5: a block without a timing line: “2 / Caption text #2”."]
    )
    expect(page.get_by_text("holds 2 segments")).to_be_visible()
    shoot(page, "import-broken-preview")

    skip = page.get_by_role("button", name="Skip the broken block and replace the script")
    skip.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Imported 2 segments and 0 speakers from broken.srt.")).to_be_visible()
    expect(page.get_by_text("Skipped 1 broken block, not imported: Line 5")).to_be_visible()
    texts = list(play.segments.order_by("start_ms").values_list("target_text", flat=True))
    assert texts == ["Caption text #1", "Caption text #3"]
