"""The editor's timeline in chromium, on the demo keynote: lanes, drag to retime, snapping, undo, nudges."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from projects.models import Membership, Role, Segment

from ..factories import MembershipFactory, ProjectFactory, SegmentFactory, SpeakerFactory, UserFactory
from .conftest import ARTIFACTS, log_in

KEYNOTE = json.loads((Path(__file__).resolve().parents[2] / "projects" / "demo_keynote.json").read_text())


@pytest.fixture
def keynote(transactional_db):
    """The demo keynote: its video, its two speakers and its lines, timed where they are spoken."""
    editor = MembershipFactory(user=UserFactory(username="elena"), role=Role.EDITOR).user
    project = ProjectFactory(
        team=editor.teams.get(),
        title="Launch keynote",
        source_video_url=KEYNOTE["video"],
        video_duration_ms=KEYNOTE["duration_ms"],
    )
    speakers = {}
    for line in KEYNOTE["lines"]:
        if line["speaker"] not in speakers:
            speakers[line["speaker"]] = SpeakerFactory(
                project=project, speaker_id=len(speakers) + 1, name=line["speaker"], style=line["style"]
            )
        SegmentFactory(project=project, start_ms=line["start_ms"], end_ms=line["end_ms"], source_text=line["source"],
                       target_text=line["target"], speaker=speakers[line["speaker"]])  # fmt: skip
    return project


VIDEO = Path(__file__).resolve().parents[2] / "static" / "demo" / "keynote.mp4"


def serve_video_with_ranges(route):
    """The video as production serves it (WhiteNoise answers Range requests): the test server does not,
    and Chromium cannot seek a video that comes without them."""
    data = VIDEO.read_bytes()
    wanted = route.request.headers.get("range", "")
    first, _, last = wanted.removeprefix("bytes=").partition("-")
    if not wanted or not first.isdigit():
        route.fulfill(status=200, body=data, headers={"content-type": "video/mp4", "accept-ranges": "bytes"})
        return
    last = int(last) if last.isdigit() else len(data) - 1
    headers = {
        "content-type": "video/mp4",
        "accept-ranges": "bytes",
        "content-range": f"bytes {first}-{last}/{len(data)}",
    }
    route.fulfill(status=206, body=data[int(first) : last + 1], headers=headers)


def open_timeline(page, project):
    page.route("**/static/demo/keynote.mp4", serve_video_with_ranges)
    log_in(page, "elena")
    page.goto(f"/projects/{project.pk}/script/")
    expect(page.locator("#timeline")).to_have_attribute("data-ready", "true")
    settled(page)


# The panels above the timeline load by themselves (problems, review progress): on a busy machine they may
# arrive after the timeline is drawn and move it down. A test reads where a region is once they are in.
SETTLED = """() => new Promise((resolve) => {
  const top = () => document.getElementById("timeline").getBoundingClientRect().top;
  const before = top();
  setTimeout(() => resolve(!document.querySelector(".htmx-request") && top() === before), 200);
})"""


def settled(page):
    page.wait_for_function(SETTLED, timeout=15_000)


def segments(project):
    return list(Segment.objects.filter(project=project).order_by("start_ms"))


def region(page, segment):
    return page.locator(f'#timeline-wave [data-segment="{segment.pk}"]')


def ms_per_px(page):
    return 1000 / float(page.locator("#timeline").get_attribute("data-px-per-sec"))


def drag_end(page, segment, dx, *, alt=False):
    """Press on the segment's end handle, move `dx` pixels, release."""
    handle = region(page, segment).locator('[part~="region-handle-right"]')
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    if alt:
        page.keyboard.down("Alt")
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + dx * step / 10, y)
    page.mouse.up()
    if alt:
        page.keyboard.up("Alt")


def row_end(page, segment):
    return page.locator(f"#seg-{segment.pk}")


def test_the_timeline_shows_a_lane_per_speaker_and_every_segment(page, keynote, screenshot):
    # Under dubweb's Content-Security-Policy, as every browser test (a violation fails it: conftest).
    open_timeline(page, keynote)
    expect(page.locator("#timeline-lanes li")).to_have_text(["Tom Reyes", "Maya Chen"])
    expect(page.locator("#timeline-wave [data-segment]")).to_have_count(len(KEYNOTE["lines"]))
    first, third = segments(keynote)[0], segments(keynote)[2]
    expect(region(page, first)).to_contain_text("Bonjour à tous")
    # Tom's lines in the first lane, Maya's in the second.
    assert region(page, third).bounding_box()["y"] > region(page, first).bounding_box()["y"] + 20
    expect(page.locator("#timeline-why")).to_have_text(
        "No waveform yet: the source audio has not been analysed."
    )
    screenshot(page, "timeline-keynote")


def test_clicking_the_timeline_seeks_the_video_and_the_playhead_follows(page, keynote):
    open_timeline(page, keynote)
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    ms_per_pixel = ms_per_px(page)
    wave = page.locator("#timeline-wave")
    box = wave.bounding_box()
    # A click at 10 s in Tom's lane, where he says nothing.
    page.mouse.click(box["x"] + 10_000 / ms_per_pixel, box["y"] + 17)
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 10) < 0.2")
    page.evaluate("document.getElementById('player').currentTime = 20")
    expect(page.locator("#playhead")).to_have_text("00:00:20.000")


def test_dragging_an_end_retimes_the_segment_by_the_dragged_amount(page, keynote):
    open_timeline(page, keynote)
    first = segments(keynote)[0]
    drag_end(page, first, -40)
    expected = first.end_ms - 40 * ms_per_px(page)
    expect(row_end(page, first)).to_have_class(re.compile("seg--saved"))
    first.refresh_from_db()
    assert abs(first.end_ms - expected) <= ms_per_px(page) + 1
    expect(row_end(page, first).locator(".seg-end")).to_contain_text(f"{first.end_ms % 1000:03d}")


def test_dragging_an_end_across_the_next_segment_stops_at_it_and_undo_puts_it_back(page, keynote):
    open_timeline(page, keynote)
    first, second = segments(keynote)[:2]
    drag_end(page, first, 200)  # far past the next segment's start
    expect(page.locator("#timeline-note")).to_contain_text("Saved")
    first.refresh_from_db()
    assert first.end_ms == second.start_ms  # snapped to the neighbour, not over it
    page.get_by_role("button", name="Undo", exact=True).first.click()
    expect(page.locator("#editor-message")).to_contain_text("Undone")
    first.refresh_from_db()
    assert first.end_ms == KEYNOTE["lines"][0]["end_ms"]
    expect(region(page, first)).to_have_attribute("title", re.compile("00:00:03.694"))


def test_the_end_is_nudged_from_the_keyboard(page, keynote):
    open_timeline(page, keynote)
    second = segments(keynote)[1]
    page.locator(f"#seg-{second.pk}").click()  # the current segment
    page.locator("#timeline").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # +10 ms each
    page.keyboard.press("Shift+ArrowLeft")  # −100 ms
    end = KEYNOTE["lines"][1]["end_ms"] - 70
    # Quick presses are saved together; on a busy machine in more than one save: wait for the last.
    expect(page.locator(f"#seg-{second.pk} .seg-end")).to_contain_text(
        f"{end // 1000 % 60:02d}.{end % 1000:03d}"
    )
    second.refresh_from_db()
    assert second.end_ms == end
    page.keyboard.press("Control+ArrowLeft")  # the start, −10 ms
    expect(page.locator(f"#seg-{second.pk} .seg-start")).to_contain_text(
        f"{(second.start_ms - 10) % 1000:03d}"
    )


def drag_whole(page, segment, dx):
    """Press on the middle of the segment, move `dx` pixels, release."""
    box = region(page, segment).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + dx * step / 10, y)
    page.mouse.up()


def ruler_view(page):
    start, end = page.locator("#timeline-ruler").get_attribute("data-view").split("-")
    return float(start), float(end)


def test_the_ruler_shows_the_seconds_in_view_as_the_timeline_zooms_and_scrolls(page, keynote):
    open_timeline(page, keynote)
    ruler = page.locator("#timeline-ruler")
    # The whole 43-second film fits: the ruler spans it, a label every 5 s.
    expect(ruler).to_have_attribute("data-label-every", "5")
    start, end = ruler_view(page)
    assert start == 0 and end >= 42
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("#timeline-zoom")).to_have_text("40 px/s")
    expect(ruler).to_have_attribute("data-label-every", "2")  # 80 px apart
    # The last line chosen in the list: the timeline scrolls to it, and the ruler with it.
    last = segments(keynote)[-1]
    page.locator(f"#seg-{last.pk}").click()
    expect(region(page, last)).to_be_in_viewport(ratio=1)
    page.wait_for_function(
        f"(() => {{ const [a, b] = document.getElementById('timeline-ruler').dataset.view.split('-').map(Number);"
        f" return a > 5 && a <= {last.start_ms / 1000} && b >= {last.end_ms / 1000}; }})()"
    )


def test_moving_a_whole_segment_keeps_its_length_and_is_one_undo(page, keynote):
    open_timeline(page, keynote)
    third = segments(keynote)[2]  # 7.430 – 11.076, half a second from its neighbours
    page.get_by_role("button", name="Zoom in").click()  # the whole film fits at ~18 px/s: 20, then 40
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("#timeline-zoom")).to_have_text("40 px/s")  # 25 ms a pixel
    # Zoomed on the middle of the film, the third line is off the timeline: choosing it in the list
    # brings it into view.
    expect(region(page, third)).not_to_be_in_viewport()
    page.locator(f"#seg-{third.pk}").click()
    expect(region(page, third)).to_be_in_viewport(ratio=1)
    drag_whole(page, third, 6)
    expect(page.locator("#editor-message")).to_contain_text("Shifted")
    moved = Segment.objects.get(pk=third.pk)
    assert moved.end_ms - moved.start_ms == third.end_ms - third.start_ms
    assert abs(moved.start_ms - third.start_ms - 6 * ms_per_px(page)) <= ms_per_px(page) + 1
    page.get_by_role("button", name="Undo", exact=True).first.click()
    expect(page.locator("#editor-message")).to_contain_text("Undone")
    moved.refresh_from_db()
    assert (moved.start_ms, moved.end_ms) == (third.start_ms, third.end_ms)


def test_with_alt_an_end_may_overlap_the_next_segment(page, keynote):
    open_timeline(page, keynote)
    first, second = segments(keynote)[:2]
    drag_end(page, first, 60, alt=True)
    expect(page.locator("#timeline-note")).to_contain_text("Saved")
    first.refresh_from_db()
    assert first.end_ms > second.start_ms
    expect(page.locator(f"#seg-{second.pk} .flags")).to_contain_text("Overlap")


def test_a_drop_on_a_segment_someone_else_retimed_shows_the_conflict_and_springs_back(page, keynote):
    open_timeline(page, keynote)
    first = segments(keynote)[0]
    # Meanwhile someone else moved its end (the page still shows the old one).
    Segment.objects.filter(pk=first.pk).update(end_ms=3500, version=first.version + 1)
    drag_end(page, first, -20)
    expect(page.locator(f"#seg-{first.pk} .seg-conflict")).to_contain_text(
        "Someone else changed this segment"
    )
    expect(page.locator("#timeline-note")).to_contain_text("Someone else changed this segment")
    first.refresh_from_db()
    assert first.end_ms == 3500  # theirs kept, nothing of mine saved
    expect(region(page, first)).to_have_attribute("title", re.compile("00:00:03.500"))


def test_j_k_l_on_the_timeline_play_and_stop_the_video_without_moving_in_the_list(page, keynote):
    open_timeline(page, keynote)
    first = segments(keynote)[0]
    page.locator(f"#seg-{first.pk}").click()
    page.evaluate("document.getElementById('player').muted = true")
    page.locator("#timeline").focus()
    page.keyboard.press("l")
    page.wait_for_function("!document.getElementById('player').paused")
    page.keyboard.press("l")  # again: faster
    page.wait_for_function("document.getElementById('player').playbackRate === 2")
    page.keyboard.press("k")
    page.wait_for_function("document.getElementById('player').paused")
    expect(page.locator("#timeline-note")).to_have_text("Stopped")
    expect(page.locator(f"#seg-{first.pk}")).to_have_class(
        re.compile("is-current")
    )  # k is not "previous row" here


def test_a_refused_drop_springs_back_and_says_why(page, keynote):
    open_timeline(page, keynote)
    first = segments(keynote)[0]
    # Elena's role was lowered to viewer while her editor was open.
    Membership.objects.filter(user__username="elena").update(role=Role.VIEWER)
    drag_end(page, first, -40)
    expect(page.locator("#editor-message")).to_contain_text("Your role does not allow this change.")
    expect(region(page, first)).to_have_attribute("title", re.compile("00:00:03.694"))
    first.refresh_from_db()
    assert first.end_ms == KEYNOTE["lines"][0]["end_ms"]


INK_AT = """(seconds) => {
  // How many pixels of the waveform are drawn in the column at `seconds` (wavesurfer's canvases are in its
  // shadow root, each placed by its style's left and width).
  const root = document.querySelector("#timeline-wave > div").shadowRoot;
  const total = root.querySelector(".wrapper").scrollWidth;
  const x = (seconds / 43) * total;
  for (const canvas of root.querySelectorAll(".canvases canvas")) {
    const left = parseFloat(canvas.style.left || "0"), width = parseFloat(canvas.style.width);
    if (x < left || x >= left + width) continue;
    const column = Math.floor(((x - left) * canvas.width) / width);
    const data = canvas.getContext("2d").getImageData(column, 0, 1, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink += 1;
    return ink;
  }
  return -1;
}"""


def test_with_peaks_the_waveform_is_drawn_where_there_is_sound(page, keynote):
    # Until the worker's peaks endpoint is merged, the page is given a peaks URL here: a second of
    # silence every other second of the video (100 peaks a second; the even seconds are silent).
    peaks = [0.8 if (n // 100) % 2 else 0.0 for n in range(43 * 100)]

    def with_peaks_url(route):
        response = route.fetch()
        body = re.sub(r'data-peaks-url="[^"]*"', 'data-peaks-url="/test-peaks.json"', response.text())
        route.fulfill(response=response, body=body)

    page.route("**/script/", with_peaks_url)
    page.route("**/test-peaks.json", lambda route: route.fulfill(json={"peaks": [peaks]}))
    open_timeline(page, keynote)
    expect(page.locator("#timeline-why")).to_have_text("Waveform of the source audio.")
    assert page.evaluate(INK_AT, 11.5) > 40  # sound: most of the lanes' height
    assert page.evaluate(INK_AT, 10.5) < 5  # silence: the centre line only


def test_the_workers_peaks_of_the_keynote_are_drawn(page, keynote, settings, tmp_path):
    """The real chain: the worker computes the keynote's peaks (audiowaveform .dat), the editor's timeline
    reads them from projects:waveform-peaks and draws ink where the keynote speaks."""
    from projects.services import waveforms

    settings.COMPUTE_WAVEFORMS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    waveforms.compute_again(keynote)  # synchronous in tests
    assert waveforms.source_waveform(keynote).status == "ready"
    open_timeline(page, keynote)
    expect(page.locator("#timeline-why")).to_have_text("Waveform of the source audio.")
    assert max(page.evaluate(INK_AT, second + 0.5) for second in range(1, 20)) > 20


def test_without_computed_peaks_the_timeline_says_why(page, keynote):
    open_timeline(page, keynote)
    expect(page.locator("#timeline-why")).to_contain_text("No waveform")


def drag_by(page, segment, dx, dy, *, hold=None):
    """Press on the middle of the segment, move by (dx, dy) pixels, call `hold` halfway, release."""
    box = region(page, segment).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + dx * step / 10, y + dy * step / 10)
        if step == 5 and hold:
            hold()
    page.mouse.up()


def test_dragging_a_segment_to_the_other_lane_gives_the_line_to_that_speaker_and_undo_restores(page, keynote):
    open_timeline(page, keynote)
    first = segments(keynote)[0]  # Tom's, in the first lane
    tom, maya = first.speaker, keynote.speakers.get(name="Maya Chen")
    top = region(page, first).bounding_box()["y"]
    drag_by(page, first, 4, 34)  # down one lane (and a few pixels sideways: the timing stays)
    expect(page.locator(f"#seg-{first.pk} .seg-speaker-name")).to_have_text("Maya Chen")
    expect(page.locator(f"#seg-{first.pk}")).to_have_class(re.compile("seg--saved"))
    moved = Segment.objects.get(pk=first.pk)
    assert moved.speaker == maya
    assert (moved.start_ms, moved.end_ms) == (first.start_ms, first.end_ms)
    assert region(page, first).bounding_box()["y"] >= top + 30  # drawn in Maya's lane
    page.get_by_role("button", name="Undo", exact=True).first.click()
    expect(page.locator("#editor-message")).to_contain_text("Undone")
    expect(page.locator(f"#seg-{first.pk} .seg-speaker-name")).to_have_text("Tom Reyes")
    assert Segment.objects.get(pk=first.pk).speaker == tom
    page.wait_for_function(
        f"""Math.abs(document.querySelector('#timeline-wave > div').shadowRoot
             .querySelector('[data-segment="{first.pk}"]').getBoundingClientRect().y - {top}) < 2"""
    )


def test_a_drag_that_comes_back_to_its_own_lane_only_retimes(page, keynote):
    open_timeline(page, keynote)
    third = segments(keynote)[2]  # Maya's, half a second from its neighbours
    box = region(page, third).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 34, steps=5)  # over Tom's lane…
    expect(page.locator("#timeline-note")).to_contain_text("give this line to Tom Reyes")
    page.mouse.move(x + 3, y, steps=5)  # …and back
    page.mouse.up()
    expect(page.locator("#editor-message")).to_contain_text("Shifted")
    moved = Segment.objects.get(pk=third.pk)
    assert moved.speaker_id == third.speaker_id and moved.start_ms > third.start_ms


def play_log(page):
    """Record where each play starts and where the video pauses."""
    page.evaluate(
        """() => {
          const player = document.getElementById('player');
          player.muted = true;
          window.plays = [];
          window.pauses = [];
          player.addEventListener('playing', () => window.plays.push(player.currentTime));
          player.addEventListener('pause', () => window.pauses.push(player.currentTime));
        }"""
    )


def test_the_current_segment_plays_to_its_end_and_from_a_second_before_by_key_and_button(page, keynote):
    open_timeline(page, keynote)
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    second = segments(keynote)[1]  # 4.258 – 6.882
    play_log(page)
    page.locator(f"#seg-{second.pk}").click()
    page.locator("#timeline").focus()
    page.keyboard.press("p")
    page.wait_for_function("window.pauses.length === 1", timeout=15_000)
    start, end = page.evaluate("[window.plays[0], window.pauses[0]]")
    assert abs(start - 4.258) < 0.1
    # Stopped at the segment's end: within a frame or so, or a few on CI's loaded cores (the video's own
    # timeupdate would let it run on for up to 250 ms, into the next line).
    assert 6.882 <= end < 6.882 + 0.2
    page.keyboard.press("Shift+P")
    page.wait_for_function("window.pauses.length === 2", timeout=15_000)
    start, end = page.evaluate("[window.plays[1], window.pauses[1]]")
    assert abs(start - 3.258) < 0.1  # a second of lead-in
    assert 6.882 <= end < 6.882 + 0.2
    page.get_by_role("button", name="From 1 s before").click()
    page.wait_for_function("window.pauses.length === 3", timeout=15_000)
    assert abs(page.evaluate("window.plays[2]") - 3.258) < 0.1
    # Space on the timeline plays and pauses.
    page.locator("#timeline").focus()
    page.keyboard.press(" ")
    page.wait_for_function("!document.getElementById('player').paused")
    page.keyboard.press(" ")
    page.wait_for_function("document.getElementById('player').paused")
    expect(page.locator(f"#seg-{second.pk}")).to_have_class(re.compile("is-current"))


def test_a_line_too_long_to_speak_says_so_on_its_region(page, keynote):
    from projects import quality

    first = segments(keynote)[0]
    text = "Bonjour à tous, et bienvenue au lancement de notre tout nouvel ordinateur portable."
    Segment.objects.filter(pk=first.pk).update(target_text=text, flags=quality.FLAG_BITS["fit"])
    speedup = quality.speedup_needed(
        text, first.end_ms - first.start_ms, quality.thresholds_for(keynote.target_language)
    )
    open_timeline(page, keynote)
    # On the region: the speed-up it needs, and (on hover) the whole wording.
    expect(region(page, first)).to_contain_text(f"⚠ {speedup:.1f}× Bonjour")
    expect(region(page, first)).to_have_attribute("title", re.compile(f"Needs {speedup:.1f}× to fit"))
    fine = next(s for s in segments(keynote) if not s.flags & quality.FLAG_BITS["fit"])
    expect(region(page, fine)).to_have_attribute("data-fit", "")
    expect(region(page, fine)).not_to_contain_text("to fit")


def test_a_second_person_retiming_the_line_during_a_drag_gets_the_drop_the_conflict_panel(people, keynote):
    MembershipFactory(team=keynote.team, user=UserFactory(username="marco"), role=Role.EDITOR)
    elena, marco = people("elena", "marco")
    for person in (elena, marco):
        person.route("**/static/demo/keynote.mp4", serve_video_with_ranges)
        person.goto(f"/projects/{keynote.pk}/script/")
        expect(person.locator("#timeline")).to_have_attribute("data-ready", "true")
        settled(person)
    first = segments(keynote)[0]
    marco.locator(f"#seg-{first.pk}").click()

    def marco_saves_an_end():
        marco.locator("#ed-end").fill("00:00:03.400")
        marco.locator("#ed-end").press("Enter")
        expect(marco.locator(f"#seg-{first.pk} .seg-end")).to_contain_text("03.400")

    # Elena drags the end while Marco, in his own browser, types another one and saves it.
    handle = region(elena, first).locator('[part~="region-handle-right"]').bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    elena.mouse.move(x, y)
    elena.mouse.down()
    elena.mouse.move(x - 10, y, steps=3)
    marco_saves_an_end()
    elena.wait_for_timeout(300)
    elena.mouse.move(x - 20, y, steps=3)
    elena.mouse.up()
    conflict = elena.locator(f"#seg-{first.pk} .seg-conflict")
    expect(conflict).to_contain_text("Someone else changed this segment's end")
    expect(conflict).to_contain_text("00:00:03.400")  # theirs
    assert Segment.objects.get(pk=first.pk).end_ms == 3400  # Marco's kept, nothing of Elena's saved
    expect(region(elena, first)).to_have_attribute("title", re.compile("00:00:03.400"))
    # Keep mine: her dragged end wins, deliberately.
    conflict.get_by_role("button", name="Keep mine").click()
    expect(elena.locator(f"#seg-{first.pk}")).to_have_class(re.compile("seg--saved"))
    assert Segment.objects.get(pk=first.pk).end_ms < 3400


@pytest.fixture
def dubbed(keynote, settings, tmp_path):
    """The keynote with a finished ModelsLab dub whose voice track the sandbox made (each line spoken where
    it is timed) and dubweb kept, with the voice track's peaks computed by the worker."""
    from django.core.files import File

    from projects.models import Submission
    from projects.services import waveforms
    from sandbox import media

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COMPUTE_WAVEFORMS = True
    lines = [
        {"start_ms": s.start_ms, "end_ms": s.end_ms, "text": s.target_text, "speaker_id": s.speaker_id}
        for s in segments(keynote)
    ]
    voice = media.ensure_output("keynote-dub.wav", 43, keynote.source_video_url, lines, language="fr")
    job = Submission.objects.create(
        project=keynote, provider=Submission.Provider.MODELSLAB, kind=Submission.Kind.NEW_DUB,
        status=Submission.Status.SUCCEEDED, output_copy=Submission.OutputCopy.KEPT, sandbox=True,
    )  # fmt: skip
    with open(voice, "rb") as track:
        job.output_audio_file.save("voice.wav", File(track), save=True)
    waveforms.output_kept(job)  # the worker's task (synchronous in tests)
    assert job.waveforms.get(track="audio").status == "ready"
    return job


DUB_INK_AT = INK_AT.replace("#timeline-wave > div", "#timeline-dub > div")


def test_the_dub_is_heard_instead_of_or_with_the_source_and_its_waveform_is_drawn_under_it(
    page, keynote, dubbed, screenshot
):
    open_timeline(page, keynote)
    page.evaluate("document.getElementById('player').muted = true")
    listen = page.locator("#timeline-listen")
    expect(listen).to_be_visible()
    expect(page.get_by_label("Finished dub")).to_contain_text(f"New ModelsLab dub #{dubbed.pk}")
    expect(page.locator("#timeline-dub")).to_be_hidden()

    page.get_by_role("radio", name="Dub").check()
    expect(page.locator("#timeline")).to_have_attribute("data-dub-ready", "true")
    expect(page.locator("#timeline-dub-label")).to_be_visible()
    # The dub speaks where the lines are: ink under the third line, none before the first.
    assert page.evaluate(DUB_INK_AT, 9.0) > 5
    assert page.evaluate(DUB_INK_AT, 0.3) < 3
    src = page.evaluate("document.getElementById('dub-audio').getAttribute('src')")
    assert src == f"/projects/{keynote.pk}/jobs/{dubbed.pk}/output/audio/"
    assert page.evaluate(
        "[document.getElementById('player').volume, document.getElementById('dub-audio').volume]"
    ) == [0, 1]

    # The dub follows the video: playing, seeking, pausing.
    page.evaluate("document.getElementById('dub-audio').muted = true")
    page.evaluate("document.getElementById('player').currentTime = 8")
    page.locator("#timeline").focus()
    page.keyboard.press(" ")
    page.wait_for_function(
        """() => { const v = document.getElementById('player'), a = document.getElementById('dub-audio');
                   return !v.paused && !a.paused && v.currentTime > 8.3 && Math.abs(a.currentTime - v.currentTime) < 0.3; }"""
    )
    page.keyboard.press(" ")
    page.wait_for_function("document.getElementById('dub-audio').paused")

    # Both, with the balance: 40 % source, 60 % dub.
    page.get_by_role("radio", name="Both").check()
    balance = page.get_by_label("Balance")
    expect(balance).to_be_enabled()
    balance.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#listen-balance-value")).to_have_text("40 % source, 60 % dub")
    volumes = page.evaluate(
        "[document.getElementById('player').volume, document.getElementById('dub-audio').volume]"
    )
    assert volumes == pytest.approx([0.4, 0.6])
    screenshot(page, "timeline-dub")
    for label, width in (("desktop", 1280), ("narrow", 390)):  # the timeline alone, to look at closely
        page.set_viewport_size({"width": width, "height": 860})
        page.locator("#timeline").screenshot(path=ARTIFACTS / f"timeline-dub-{label}-card.png")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.get_by_role("radio", name="Source").check()
    expect(page.locator("#timeline-dub")).to_be_hidden()
    assert page.evaluate("document.getElementById('player').volume") == 1
    expect(balance).to_be_disabled()


def test_without_a_finished_dub_there_is_nothing_to_switch_to(page, keynote):
    open_timeline(page, keynote)
    expect(page.locator("#timeline-listen")).to_be_hidden()


def test_under_the_content_security_policy_the_timeline_is_laid_out(page, keynote):
    # wavesurfer.js styles its shadow root with a <style> element, which the policy (no inline styles)
    # allows only with the page's nonce: without it the cursor and the regions lose their rules. A refused
    # style would also fail the test as a CSP violation (conftest).
    open_timeline(page, keynote)
    expect(page.locator("#timeline-wave [data-segment]")).to_have_count(len(KEYNOTE["lines"]))
    cursor = page.evaluate(
        "getComputedStyle(document.querySelector('#timeline-wave > div').shadowRoot.querySelector('.cursor')).position"
    )
    assert cursor == "absolute"  # the shadow root's own rules apply (without them: static, under the wave)
    first, third = segments(keynote)[0], segments(keynote)[2]
    lanes = page.locator("#timeline-lanes li")
    tom, maya = lanes.nth(0).bounding_box(), lanes.nth(1).bounding_box()
    assert abs(region(page, first).bounding_box()["y"] - tom["y"]) < 6
    assert abs(region(page, third).bounding_box()["y"] - maya["y"]) < 6
