"""The script editor in chromium: inline edits, structural edits, conflicts, keyboard, video sync."""

import re

import pytest
from playwright.sync_api import expect

from projects.models import Role, Segment
from projects.services import script_summary

from ..factories import MembershipFactory, ProjectFactory, SegmentFactory, SpeakerFactory, UserFactory
from .conftest import log_in
from .long_scripts import long_script, segment_id


@pytest.fixture
def keynote(transactional_db):
    editor = MembershipFactory(user=UserFactory(username="elena"), role=Role.EDITOR).user
    team = editor.teams.get()
    MembershipFactory(user=UserFactory(username="marco"), team=team, role=Role.MANAGER)
    project = ProjectFactory(
        team=team,
        title="Launch keynote",
        source_video_url="/static/demo/keynote.mp4",
        video_duration_ms=43_000,
    )
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna")
    SpeakerFactory(project=project, speaker_id=2, name="Ben", style="masculine")
    texts = ["Bonjour à tous, et bienvenue.", "Merci d'être venus si nombreux.", "Commençons par les chiffres.",
             "Les ventes ont doublé.", "C'est un record historique."]  # fmt: skip
    for n, text in enumerate(texts):
        SegmentFactory(project=project, start_ms=1000 + n * 4000, end_ms=4000 + n * 4000, target_text=text,
                       source_text=f"English line {n + 1}", speaker=anna)  # fmt: skip
    return project


def open_editor(page, project, username="elena"):
    log_in(page, username)
    show_editor(page, project)


def show_editor(page, project):
    page.goto(f"/projects/{project.pk}/script/")
    expect(rows(page)).to_have_count(5)
    expect(page.locator("#timeline-why")).not_to_be_empty()  # the timeline has drawn: the page stays put


def rows(page):
    return page.locator("#segment-list .seg[data-id]")


def row(page, n):
    return rows(page).nth(n - 1)


def editor(page):
    """The one editor form, below the current row."""
    return page.locator("#seg-editor")


def field(page, label):
    if label == "Translation":
        return editor(page).get_by_label(re.compile("^Translation"))
    return editor(page).get_by_label(label, exact=True)


def test_edited_text_is_saved_and_still_there_after_a_reload(page, keynote, screenshot):
    open_editor(page, keynote)
    row(page, 1).click()
    text = field(page, "Translation")
    text.fill("Bonjour et bienvenue à toutes et à tous.")
    text.press("Control+Enter")
    expect(row(page, 1).locator(".seg-state")).to_have_text("Saved")
    expect(row(page, 1).locator(".seg-text")).to_have_text("Bonjour et bienvenue à toutes et à tous.")
    expect(text).to_be_focused()  # focus stays in the editor after the row's swap
    screenshot(page, "editor")
    page.reload()
    expect(row(page, 1).locator(".seg-text")).to_have_text("Bonjour et bienvenue à toutes et à tous.")
    row(page, 1).click()
    expect(field(page, "Translation")).to_have_value("Bonjour et bienvenue à toutes et à tous.")


def test_an_impossible_timing_is_refused_then_a_good_one_saved(page, keynote):
    open_editor(page, keynote)
    row(page, 2).click()
    end = field(page, "End")
    end.fill("00:00:04.500")  # before its start (00:00:05.000)
    end.press("Enter")
    expect(row(page, 2).get_by_role("alert")).to_contain_text("must be after the start")
    expect(end).to_have_value("00:00:04.500")  # what was typed stays to be fixed
    expect(end).to_have_attribute("aria-invalid", "")
    assert Segment.objects.get(start_ms=5000).end_ms == 8000
    end.fill("7.25")
    end.press("Enter")
    expect(end).to_have_value("00:00:07.250")  # canonical form
    expect(row(page, 2).get_by_role("alert")).to_have_count(0)
    expect(row(page, 2).locator(".seg-end")).to_contain_text("00:00:07.250")
    assert Segment.objects.get(start_ms=5000).end_ms == 7250


def test_split_then_merge(page, keynote):
    open_editor(page, keynote)
    row(page, 3).click()
    text = field(page, "Translation")
    text.click()
    text.press("Home")
    for _ in range(len("Commençons")):
        text.press("ArrowRight")
    page.get_by_role("button", name="Split", exact=True).click()
    expect(rows(page)).to_have_count(6)
    expect(row(page, 3).locator(".seg-text")).to_have_text("Commençons")
    expect(row(page, 4).locator(".seg-text")).to_have_text("par les chiffres.")
    row(page, 3).click()
    page.get_by_role("button", name="Merge with next").click()
    expect(rows(page)).to_have_count(5)
    expect(row(page, 3).locator(".seg-text")).to_have_text("Commençons par les chiffres.")
    expect(row(page, 3).locator(".seg-end")).to_contain_text("00:00:12.000")


def test_shift_every_segment_after_a_point(page, keynote):
    open_editor(page, keynote)
    page.get_by_label("Shift by (ms)").fill("-250")
    page.get_by_label("Which").select_option("from")
    page.get_by_label("From", exact=True).fill("00:00:09.000")
    page.get_by_role("button", name="Shift", exact=True).click()
    expect(row(page, 3).locator(".seg-start")).to_contain_text("00:00:08.750")
    expect(row(page, 5).locator(".seg-end")).to_contain_text("00:00:19.750")
    expect(row(page, 2).locator(".seg-start")).to_contain_text("00:00:05.000")


def test_speaker_change(page, keynote):
    open_editor(page, keynote)
    row(page, 2).click()
    field(page, "Speaker").select_option(label="Ben")
    expect(row(page, 2).locator(".seg-state")).to_have_text("Saved")
    expect(row(page, 2).locator(".seg-speaker-name")).to_have_text("Ben")
    assert Segment.objects.get(start_ms=5000).speaker.name == "Ben"


def test_selected_rows_are_given_to_a_speaker(page, keynote):
    open_editor(page, keynote)
    row(page, 2).get_by_role("checkbox").click()
    row(page, 4).get_by_role("checkbox").click(modifiers=["Shift"])  # 2 to 4
    expect(page.locator("#selection-count")).to_have_text("3 selected")
    expect(row(page, 3).get_by_role("checkbox")).to_have_attribute("aria-checked", "true")
    page.get_by_label("Give to").select_option(label="Ben")
    page.get_by_role("button", name="Apply").click()
    expect(row(page, 3).locator(".seg-speaker-name")).to_have_text("Ben")
    speakers = list(Segment.objects.order_by("start_ms").values_list("speaker__name", flat=True))
    assert speakers == ["Anna", "Ben", "Ben", "Ben", "Anna"]
    expect(row(page, 3).get_by_role("checkbox")).to_have_attribute("aria-checked", "true")  # still selected


def test_two_people_editing_the_same_segment_see_a_conflict_not_an_overwrite(people, keynote, screenshot):
    elena, marco = people("elena", "marco")
    for page in (elena, marco):
        show_editor(page, keynote)
    row(marco, 1).click()
    marco_text = field(marco, "Translation")
    marco_text.fill("Version de Marco.")
    marco_text.press("Control+Enter")
    expect(row(marco, 1).locator(".seg-state")).to_have_text("Saved")

    row(elena, 1).click()
    elena_text = field(elena, "Translation")
    elena_text.fill("Version d'Elena.")
    elena_text.press("Control+Enter")
    panel = row(elena, 1).get_by_role("alert")
    expect(panel).to_contain_text("Someone else changed this segment")
    expect(panel).to_contain_text("Version de Marco.")
    expect(panel).to_contain_text("Version d'Elena.")
    expect(elena_text).to_have_value("Version d'Elena.")  # my words stay in the editor
    screenshot(elena, "editor-conflict")
    assert Segment.objects.get(start_ms=1000).target_text == "Version de Marco."

    panel.get_by_role("button", name="Keep mine").click()
    expect(row(elena, 1).locator(".seg-state")).to_have_text("Saved")
    assert Segment.objects.get(start_ms=1000).target_text == "Version d'Elena."


def test_a_whole_edit_with_the_keyboard_alone(page, keynote):
    open_editor(page, keynote)
    page.keyboard.press("Alt+ArrowDown")  # to the first segment
    page.keyboard.press("Alt+ArrowDown")  # and the second
    expect(row(page, 2)).to_be_focused()
    page.keyboard.press("Enter")  # edit its translation
    expect(field(page, "Translation")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Merci à tous.")
    page.keyboard.press("Control+Enter")
    expect(row(page, 2).locator(".seg-state")).to_have_text("Saved")
    page.keyboard.press("Escape")  # back to the row
    expect(row(page, 2)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Alt+KeyM")  # merge the third with the fourth
    expect(rows(page)).to_have_count(4)
    page.keyboard.press("Alt+KeyZ")  # undo the merge
    expect(rows(page)).to_have_count(5)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    assert Segment.objects.get(start_ms=5000).target_text == "Merci à tous."


def test_alt_down_while_typing_saves_and_goes_on_typing_in_the_next_row(page, keynote):
    open_editor(page, keynote)
    row(page, 2).click()
    page.keyboard.press("Enter")
    page.keyboard.type(" Vraiment.")
    page.keyboard.press("Alt+ArrowDown")
    expect(row(page, 3)).to_have_class(re.compile("is-current"))
    text = field(page, "Translation")
    expect(text).to_be_focused()
    expect(text).to_have_value("Commençons par les chiffres.")
    assert (
        text.evaluate("t => [t.selectionStart, t.selectionEnd]") == [len("Commençons par les chiffres.")] * 2
    )
    page.keyboard.type(" Allons-y.")
    page.keyboard.press("Control+Enter")
    expect(row(page, 3).locator(".seg-state")).to_have_text("Saved")
    assert Segment.objects.get(start_ms=5000).target_text == "Merci d'être venus si nombreux. Vraiment."
    assert Segment.objects.get(start_ms=9000).target_text == "Commençons par les chiffres. Allons-y."


def test_alt_k_plays_and_pauses_even_while_typing(page, keynote):
    open_editor(page, keynote)
    row(page, 3).click()
    page.keyboard.press("Enter")
    text = field(page, "Translation")
    expect(text).to_be_focused()
    page.keyboard.press("Alt+KeyK")
    page.wait_for_function("!document.getElementById('player').paused")
    page.keyboard.press("Alt+KeyK")
    page.wait_for_function("document.getElementById('player').paused")
    expect(text).to_have_value("Commençons par les chiffres.")  # nothing typed
    expect(text).to_be_focused()


def test_clicking_a_segment_plays_the_video_from_its_start(page, keynote):
    open_editor(page, keynote)
    page.get_by_role("button", name="Play the segment at 00:00:09.000").click()
    page.wait_for_function("document.getElementById('player').currentTime >= 9")
    current = page.evaluate("document.getElementById('player').currentTime")
    assert 9 <= current < 12
    expect(row(page, 3)).to_have_class(re.compile("is-current"))


def test_markup_typed_as_text_is_shown_as_text(page, keynote):
    open_editor(page, keynote)
    page.evaluate("window.hacked = false")
    row(page, 1).click()
    text = field(page, "Translation")
    typed = '<script>window.hacked = true</script><img src=x onerror="window.hacked = true">'
    text.fill(typed)
    text.press("Control+Enter")
    expect(row(page, 1).locator(".seg-state")).to_have_text("Saved")
    page.reload()
    expect(row(page, 1).locator(".seg-text")).to_have_text(typed)
    row(page, 1).click()
    expect(field(page, "Translation")).to_have_value(typed)
    assert page.evaluate("window.hacked") is not True
    assert page.locator("#segment-list img").count() == 0


def test_editing_a_filtered_row_is_not_undone_by_the_filter(page, keynote):
    open_editor(page, keynote)
    page.get_by_label("Find in source and translation").fill("chiffres")
    expect(rows(page)).to_have_count(1)
    row(page, 1).click()
    text = field(page, "Translation")
    text.fill("Commençons par les résultats.")  # leaving the search box must not refresh the list
    text.press("Control+Enter")
    expect(row(page, 1).locator(".seg-state")).to_have_text("Saved")
    page.wait_for_timeout(500)
    expect(row(page, 1).locator(".seg-state")).to_have_text("Saved")
    assert Segment.objects.get(start_ms=9000).target_text == "Commençons par les résultats."


def test_viewers_see_the_rows_without_the_editor(page, keynote):
    MembershipFactory(user=UserFactory(username="vera"), team=keynote.team, role=Role.VIEWER)
    open_editor(page, keynote, "vera")
    row(page, 2).click()
    page.keyboard.press("ArrowDown")
    expect(row(page, 3)).to_have_class(re.compile("is-current"))
    assert page.locator("#seg-editor").count() == 0
    assert page.locator("#segment-list textarea, #segment-list input").count() == 0


def test_a_long_script_loads_as_it_scrolls_and_next_problem_finds_rows_further_on(page, transactional_db):
    project = long_script(600)
    late = Segment.objects.get(pk=segment_id(project, 590))
    Segment.objects.filter(pk=late.pk).update(
        target_text="Une réplique bien trop longue " * 6
    )  # a problem far down
    script_summary.recount(project)  # its stored flags say so
    log_in(page, "elena")
    page.goto(f"/projects/{project.pk}/script/")
    expect(rows(page).first).to_be_visible()
    assert rows(page).count() < 600  # the first screen only
    page.get_by_role("button", name="Next problem").click()
    # It takes a few chunks of rows to get there.
    expect(page.locator(f"#seg-{late.pk}")).to_be_focused(timeout=20_000)
    expect(page.locator(f"#seg-{late.pk}")).to_be_in_viewport()


def translations(page):
    """The translations of the rows on the page, in order."""
    return page.locator("#segment-list .seg[data-id]").evaluate_all(
        "rows => rows.map(r => { const t = r.querySelector('textarea, .seg-text');"
        " return t ? (t.value ?? t.textContent) : ''; })"
    )


def test_insert_then_delete_deletes_the_new_empty_line(page, keynote):
    open_editor(page, keynote)
    row(page, 2).click()
    page.keyboard.press("Alt+KeyI")
    expect(rows(page)).to_have_count(6)
    expect(row(page, 3)).to_have_class(re.compile("is-current"))
    assert row(page, 3).evaluate("r => r.nextElementSibling.id") == "seg-editor"  # the editor is below it
    page.keyboard.press("Alt+Delete")
    expect(rows(page)).to_have_count(5)
    assert translations(page)[:3] == ["Bonjour à tous, et bienvenue.", "Merci d'être venus si nombreux.",
                                      "Commençons par les chiffres."]  # fmt: skip
    assert Segment.objects.filter(target_text="Merci d'être venus si nombreux.").exists()
    assert Segment.objects.count() == 5


def test_split_then_delete_deletes_the_second_half(page, keynote):
    open_editor(page, keynote)
    row(page, 3).click()
    text = field(page, "Translation")
    text.click()
    text.press("Home")
    for _ in range(len("Commençons")):
        text.press("ArrowRight")
    page.keyboard.press("Alt+KeyS")
    expect(rows(page)).to_have_count(6)
    expect(row(page, 4)).to_have_class(re.compile("is-current"))
    second_half = Segment.objects.order_by("-start_ms").filter(start_ms__lt=13000).first()
    page.keyboard.press("Alt+Delete")
    expect(rows(page)).to_have_count(5)
    assert not Segment.objects.filter(pk=second_half.pk).exists()
    assert Segment.objects.filter(start_ms=9000).exists()


def test_saving_in_the_speakers_panel_keeps_the_speaker_menus_to_the_projects_speakers(page, keynote):
    open_editor(page, keynote)
    page.get_by_label("Name").first.fill("Anna K.")
    page.get_by_role("button", name="Save Anna").click()
    expect(page.get_by_role("button", name="Save Anna K.")).to_be_visible()
    row(page, 2).click()
    for select in (page.locator("#selection-speaker"), page.locator("#filter-speaker"),
                   field(page, "Speaker")):  # fmt: skip
        labels = select.locator("option").all_inner_texts()
        assert not any("object" in label for label in labels), labels
        assert "Anna K." in labels and "Ben" in labels
    expect(row(page, 2).locator(".seg-speaker-name")).to_have_text("Anna K.")


def test_arrow_keys_work_after_a_click_on_blank_space(page, keynote):
    open_editor(page, keynote)
    row(page, 3).click()
    page.mouse.click(5, 400)  # blank margin left of the tools
    page.keyboard.press("ArrowUp")
    expect(row(page, 2)).to_have_class(re.compile("is-current"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(row(page, 4)).to_have_class(re.compile("is-current"))


def test_undo_says_what_was_undone_and_offers_redo(page, keynote):
    open_editor(page, keynote)
    row(page, 3).click()
    page.get_by_role("button", name="Merge with next").click()
    expect(rows(page)).to_have_count(4)
    message = page.locator("#editor-message")
    expect(message).to_contain_text("Merged")
    message.get_by_role("button", name="Undo").click()
    expect(rows(page)).to_have_count(5)
    expect(message).to_contain_text(re.compile(r"^\s*Undone: Merged", re.I))
    message.get_by_role("button", name="Redo").click()
    expect(rows(page)).to_have_count(4)
    expect(message).to_contain_text(re.compile(r"^\s*Redone: Merged", re.I))
    expect(message.get_by_role("button", name="Undo")).to_be_visible()


def test_the_end_of_a_3000_segment_script_is_reached_by_scrolling_and_edited(page, transactional_db):
    project = long_script(3000, title="Long film", step_ms=2000)
    last = Segment.objects.get(pk=segment_id(project, 2999, step_ms=2000))
    log_in(page, "elena")
    page.goto(f"/projects/{project.pk}/script/")
    expect(rows(page).first).to_be_visible()
    for _ in range(200):  # scroll to the end until the last row is there
        if page.locator(f"#seg-{last.pk}").count():
            break
        page.mouse.wheel(0, 100_000)
        page.wait_for_timeout(100)
    expect(rows(page)).to_have_count(3000)
    # The page holds a handful of form controls, not a few for each of the 3,000 rows.
    assert page.locator("input, select, textarea").count() < 40
    page.locator(f"#seg-{last.pk}").click()
    text = field(page, "Translation")
    expect(text).to_have_value("Réplique 2999.")
    text.fill("La toute dernière réplique.")
    text.press("Control+Enter")
    expect(page.locator(f"#seg-{last.pk} .seg-state")).to_have_text("Saved")
    expect(page.locator(f"#seg-{last.pk} .seg-text")).to_have_text("La toute dernière réplique.")
    last.refresh_from_db()
    assert last.target_text == "La toute dernière réplique."


def test_take_theirs_shows_their_words_in_the_row_and_the_editor(people, keynote):
    elena, marco = people("elena", "marco")
    for page in (elena, marco):
        show_editor(page, keynote)
    row(marco, 2).click()
    field(marco, "Translation").fill("Merci, Marco.")
    field(marco, "Translation").press("Control+Enter")
    expect(row(marco, 2).locator(".seg-state")).to_have_text("Saved")
    row(elena, 2).click()
    field(elena, "Translation").fill("Merci, Elena.")
    field(elena, "Translation").press("Control+Enter")
    row(elena, 2).get_by_role("button", name="Take theirs").click()
    expect(row(elena, 2).get_by_role("alert")).to_have_count(0)
    expect(row(elena, 2).locator(".seg-text")).to_have_text("Merci, Marco.")
    expect(field(elena, "Translation")).to_have_value("Merci, Marco.")
    assert Segment.objects.get(start_ms=5000).target_text == "Merci, Marco."
