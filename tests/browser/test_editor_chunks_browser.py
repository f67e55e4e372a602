"""A long script's rows come in chunks (one per batch loaded while scrolling): the editor's chains work
across a chunk's edge as they do inside one (insert, split, delete, arrows, a range, a row that moves)."""

import re

import pytest
from playwright.sync_api import expect

from projects.models import Segment
from projects.services import script_summary

from .conftest import log_in
from .long_scripts import long_script, segment_id

SIZE = 400  # the first screen (40 rows), then chunks of 150 as the list scrolls


@pytest.fixture
def film(transactional_db):
    return long_script(SIZE)


def rows(page):
    return page.locator("#segment-list .seg[data-id]")


def open_and_scroll(page, project, at_least=SIZE):
    """The editor, scrolled until every row is loaded (four chunks: 40, 150, 150, 60), so that no more
    rows arrive while the test runs."""
    log_in(page, "elena")
    page.goto(f"/projects/{project.pk}/script/")
    expect(rows(page).first).to_be_visible()
    for _ in range(100):
        if rows(page).count() >= at_least:
            break
        page.mouse.wheel(0, 20_000)
        page.wait_for_timeout(100)
    expect(rows(page)).to_have_count(at_least)
    assert [len(chunk) for chunk in chunks(page)] == [40, 150, 150, 60]


def chunks(page):
    """The row ids of each chunk, in page order."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("#segment-list > .seg-chunk"),
             (chunk) => Array.from(chunk.children).filter((child) => child.dataset.id).map((row) => row.id))"""
    )


def assert_in_order_and_chunked(page):
    """Every row in a chunk, no chunk empty, the rows in time order."""
    layout = page.evaluate(
        """() => ({
          loose: document.querySelectorAll("#segment-list > .seg[data-id]").length,
          empty: Array.from(document.querySelectorAll("#segment-list > .seg-chunk"))
                   .filter((chunk) => !chunk.querySelector(".seg[data-id]")).length,
          keys: Array.from(document.querySelectorAll("#segment-list .seg[data-id]"),
                           (row) => [+row.dataset.start, +row.dataset.id]),
        })"""
    )
    assert layout["loose"] == 0 and layout["empty"] == 0
    assert layout["keys"] == sorted(layout["keys"])


def current_id(page):
    return page.locator("#segment-list .seg.is-current").get_attribute("id")


def assert_editor_below(page, row_id):
    below = page.locator(f"#{row_id}").evaluate("row => row.nextElementSibling && row.nextElementSibling.id")
    assert below == "seg-editor"


def test_insert_after_the_last_row_of_a_chunk_then_delete_the_new_line(page, film):
    open_and_scroll(page, film)
    edge = chunks(page)[0][-1]
    before = len(sum(chunks(page), []))
    page.locator(f"#{edge}").click()
    page.keyboard.press("Alt+KeyI")
    expect(rows(page)).to_have_count(before + 1)
    expect(page.locator("#segment-list .seg.is-current")).not_to_have_id(edge)
    new = current_id(page)
    order = sum(chunks(page), [])
    assert order[order.index(edge) + 1] == new  # right after the row it was inserted after
    assert_editor_below(page, new)
    assert_in_order_and_chunked(page)
    page.keyboard.press("Alt+Delete")
    expect(rows(page)).to_have_count(before)
    assert page.locator(f"#{new}").count() == 0 and page.locator(f"#{edge}").count() == 1
    assert Segment.objects.filter(project=film).count() == SIZE
    assert_in_order_and_chunked(page)


def test_split_the_last_row_of_a_chunk_the_second_half_follows_it(page, film):
    open_and_scroll(page, film)
    edge = chunks(page)[1][-1]
    first_of_next = chunks(page)[2][0]
    before = len(sum(chunks(page), []))
    page.locator(f"#{edge}").click()
    text = page.get_by_label(re.compile("^Translation"))
    text.click()
    text.press("Home")
    for _ in range(len("Réplique")):
        text.press("ArrowRight")
    page.keyboard.press("Alt+KeyS")
    expect(rows(page)).to_have_count(before + 1)
    expect(page.locator(f"#{edge} .seg-text")).to_have_text("Réplique")
    expect(page.locator("#segment-list .seg.is-current")).not_to_have_id(edge)
    second = current_id(page)
    expect(page.locator(f"#{second} .seg-text")).to_have_text("189.")
    order = sum(chunks(page), [])
    assert order[order.index(edge) + 1 : order.index(edge) + 3] == [second, first_of_next]
    assert_in_order_and_chunked(page)
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")  # on into the next chunk
    expect(page.locator(f"#{first_of_next}")).to_have_class(re.compile("is-current"))


def test_deleting_every_row_of_a_chunk_removes_the_chunk_and_undo_brings_them_back(page, film):
    open_and_scroll(page, film)
    first_chunk = chunks(page)[0]
    count = len(sum(chunks(page), []))
    page.locator(f"#{first_chunk[0]}").get_by_role("checkbox").click()
    page.locator(f"#{first_chunk[-1]}").get_by_role("checkbox").click(modifiers=["Shift"])
    expect(page.locator("#selection-count")).to_have_text(f"{len(first_chunk)} selected")
    page.get_by_role("button", name="Delete selected").click()
    expect(rows(page)).to_have_count(count - len(first_chunk))
    assert len(chunks(page)) == 3  # the emptied chunk is gone
    assert_in_order_and_chunked(page)
    # The arrows still move, from the first row left.
    top = chunks(page)[0][0]
    page.locator(f"#{top}").click()
    page.keyboard.press("ArrowUp")
    expect(page.locator(f"#{top}")).to_have_class(re.compile("is-current"))
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#{chunks(page)[0][1]}")).to_have_class(re.compile("is-current"))
    page.get_by_role("button", name="Undo").first.click()
    expect(rows(page)).to_have_count(count)
    assert_in_order_and_chunked(page)
    assert sum(chunks(page), [])[: len(first_chunk)] == first_chunk


def test_an_undo_whose_answer_a_presence_poll_overtakes_brings_each_row_back_once(page, film):
    """The poll that asks for the rows changed since the last one can bring an undo's rows before the
    undo's own answer arrives (a slow answer on a busy server): each row is then in the list once."""
    open_and_scroll(page, film)
    first_chunk = chunks(page)[0]
    count = len(sum(chunks(page), []))
    page.locator(f"#{first_chunk[0]}").get_by_role("checkbox").click()
    page.locator(f"#{first_chunk[-1]}").get_by_role("checkbox").click(modifiers=["Shift"])
    page.get_by_role("button", name="Delete selected").click()
    expect(rows(page)).to_have_count(count - len(first_chunk))

    held = []  # the undo's answer, held back until a presence poll has brought its rows
    page.route("**/script/undo/", lambda route: held.append((route, route.fetch())))
    page.get_by_role("button", name="Undo").first.click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the undo was not sent"
    expect(rows(page)).to_have_count(count, timeout=15_000)  # the poll brought them back
    route, answer = held[0]
    route.fulfill(response=answer)
    expect(page.get_by_role("status").filter(has_text="Undone")).to_be_visible()
    page.wait_for_timeout(300)
    expect(rows(page)).to_have_count(count)
    assert_in_order_and_chunked(page)
    assert sum(chunks(page), [])[: len(first_chunk)] == first_chunk
    ids = page.evaluate(
        "() => Array.from(document.querySelectorAll('#segment-list .seg[data-id]'), (r) => r.id)"
    )
    assert len(ids) == len(set(ids))
    assert Segment.objects.filter(project=film).count() == SIZE


def test_arrows_and_a_shift_click_range_cross_a_chunk_edge(page, film):
    open_and_scroll(page, film)
    first, second = chunks(page)[0], chunks(page)[1]
    page.locator(f"#{first[-1]}").click()
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#{second[0]}")).to_have_class(re.compile("is-current"))
    expect(page.locator(f"#{second[0]}")).to_be_focused()
    assert_editor_below(page, second[0])
    page.keyboard.press("ArrowUp")
    expect(page.locator(f"#{first[-1]}")).to_have_class(re.compile("is-current"))
    # Alt+↓ while typing: the text cursor goes on into the next row's translation, in the next chunk.
    text = page.get_by_label(re.compile("^Translation"))
    text.click()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator(f"#{second[0]}")).to_have_class(re.compile("is-current"))
    expect(text).to_be_focused()
    expect(text).to_have_value("Réplique 40.")
    # A range from the fifth row before the edge to the fifth after it.
    page.locator(f"#{first[-5]}").get_by_role("checkbox").click()
    page.locator(f"#{second[4]}").get_by_role("checkbox").click(modifiers=["Shift"])
    expect(page.locator("#selection-count")).to_have_text("10 selected")
    expect(page.locator("#segment-list .seg.is-selected")).to_have_count(10)


def test_a_row_whose_start_is_edited_moves_into_its_place_in_another_chunk(page, film):
    open_and_scroll(page, film)
    moving = f"seg-{segment_id(film, 299)}"
    assert moving in chunks(page)[2]
    page.locator(f"#{moving}").click()
    start = page.get_by_label("Start", exact=True)
    start.fill("00:00:31.000")  # between the 11th row (0:30) and the 12th (0:33)
    start.press("Enter")
    expect(page.locator(f"#{moving} .seg-start")).to_contain_text("00:00:31.000")
    expect(page.locator(f"#{moving} .seg-state")).to_have_text("Saved")
    layout = chunks(page)
    assert layout[0][10:13] == [f"seg-{segment_id(film, 10)}", moving, f"seg-{segment_id(film, 11)}"]
    assert [len(chunk) for chunk in layout] == [41, 150, 149, 60]
    assert_in_order_and_chunked(page)
    # It is still the current row: the editor is below it, and its chunk is drawn.
    assert_editor_below(page, moving)
    assert page.locator(f"#{moving}").evaluate("row => row.parentElement.classList.contains('has-current')")
    expect(start).to_have_value("00:00:31.000")


def test_a_line_inserted_after_the_last_row_loaded_is_there_once_when_the_rest_loads(page, film):
    """The next batch after the rows loaded also holds the new line: the page shows it once, in order."""
    far = segment_id(film, 300)
    Segment.objects.filter(pk=far).update(target_text="Une réplique bien trop longue " * 6)  # a problem
    script_summary.recount(film)  # its stored flags say so
    log_in(page, "elena")
    page.route("**/script/rows/?after=*", lambda route: route.abort())  # hold the rest back
    page.goto(f"/projects/{film.pk}/script/")
    expect(rows(page)).to_have_count(40)
    last_loaded = rows(page).last
    last_loaded.click()
    page.keyboard.press("Alt+KeyI")
    expect(rows(page)).to_have_count(41)
    new = current_id(page)
    page.unroute("**/script/rows/?after=*")
    # Next problem loads the rows up to it (the new line's neighbour, with no gap before it, is one too).
    for _ in range(3):
        before = current_id(page)
        page.get_by_role("button", name="Next problem").click()
        expect(page.locator("#segment-list .seg.is-current")).not_to_have_id(before, timeout=20_000)
        if current_id(page) == f"seg-{far}":
            break
    expect(page.locator(f"#seg-{far}")).to_be_focused()
    ids = sum(chunks(page), [])
    assert ids.count(new) == 1 and len(ids) == len(set(ids))
    assert_in_order_and_chunked(page)
    assert_editor_below(page, f"seg-{far}")


def test_find_as_you_type_shows_the_matches_in_a_chunk_and_the_arrows_move_between_them(page, film):
    log_in(page, "elena")
    page.goto(f"/projects/{film.pk}/script/")
    expect(rows(page)).to_have_count(40)
    page.get_by_label("Find in source and translation").fill("Réplique 12")  # 12 and 120–129
    expect(rows(page)).to_have_count(11)
    assert [len(chunk) for chunk in chunks(page)] == [11]
    matches = sum(chunks(page), [])
    assert matches == [f"seg-{segment_id(film, n)}" for n in [12, *range(120, 130)]]
    page.locator(f"#{matches[0]}").click()
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#{matches[1]}")).to_have_class(re.compile("is-current"))
    assert_editor_below(page, matches[1])
    page.get_by_label("Find in source and translation").fill("")  # the script again, from its start
    expect(rows(page).first).to_have_id(f"seg-{segment_id(film, 0)}")
    expect(rows(page)).not_to_have_count(11)
    assert_in_order_and_chunked(page)


def test_screen_readers_see_the_rows_as_the_lists_items(page, film):
    log_in(page, "elena")
    page.goto(f"/projects/{film.pk}/script/")
    expect(rows(page)).to_have_count(40)
    tree = page.locator("#segment-list").aria_snapshot().splitlines()
    assert tree[0].startswith('- list "Segments"')
    children = [line for line in tree if line.startswith("  - ")]  # the list's own, one level down
    items = [line for line in children if line.startswith('  - listitem "Segment at')]
    assert len(items) == 40
    assert [line for line in children if line not in items] == ["  - status: Loading more segments…"]
    assert items[0].startswith('  - listitem "Segment at 00:00:00.000"')
