"""Comments in Chromium: a reviewer pins a comment on the finished dub and the editor jumps there; a
comment on a segment with an @mention picked by keyboard."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files import File
from playwright.sync_api import expect

from projects.models import Role, Submission

from ..factories import MembershipFactory, ProjectFactory, SegmentFactory, TeamFactory, UserFactory
from .conftest import ARTIFACTS, log_in

SHOTS = Path("/tmp/shots_f")
KEYNOTE = Path(django_settings.BASE_DIR) / "static" / "demo" / "keynote.mp4"  # 43 s, plays in Chromium


def shoot(page, name):
    """Desktop (1280) and phone (390) screenshots, in artifacts/screenshots and /tmp/shots_f."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, width, height in (("desktop", 1280, 860), ("narrow", 390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        path = ARTIFACTS / f"{name}-{label}.png"
        page.screenshot(path=path, full_page=True)
        shutil.copy(path, SHOTS / path.name)
    page.set_viewport_size({"width": 1280, "height": 860})


@pytest.fixture
def studio(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    team = TeamFactory(name="Blue Studio", slug="blue")
    people = {
        role: MembershipFactory(team=team, role=role, user=UserFactory(username=name)).user
        for role, name in ((Role.REVIEWER, "rita"), (Role.EDITOR, "eddie"), (Role.MANAGER, "manny"))
    }
    project = ProjectFactory(team=team, title="Launch keynote", source_video_url="/static/demo/keynote.mp4")
    SegmentFactory(project=project, start_ms=800, end_ms=3100, target_text="Bonjour à tous.")
    SegmentFactory(project=project, start_ms=3200, end_ms=6000, target_text="Merci d'être venus.")
    dub = Submission.objects.create(
        project=project, provider=Submission.Provider.MODELSLAB, kind=Submission.Kind.NEW_DUB,
        status=Submission.Status.SUCCEEDED, output_video_url="https://cdn.example.com/dub.mp4",
        output_copy=Submission.OutputCopy.KEPT, created_by=people[Role.MANAGER],
    )  # fmt: skip
    with KEYNOTE.open("rb") as video:
        dub.output_video_file.save("dub.mp4", File(video), save=True)
    return {"project": project, "dub": dub, **people}


def test_a_reviewer_pins_a_comment_on_the_dub_and_the_editor_jumps_there(page, browser, live_server, studio):
    project = studio["project"]
    log_in(page, "rita")
    page.goto(project.get_absolute_url())
    job = page.locator(f"#job-{studio['dub'].pk}")
    player = job.locator("video")
    expect(player).to_be_visible()
    player.evaluate(
        "v => new Promise(r => v.readyState >= 1 ? r() : v.addEventListener('loadedmetadata', r, {once: true}))"
    )
    # The reviewer watches, pauses at 0:12: the comment's time follows the player.
    player.evaluate("v => { v.currentTime = 12; v.pause(); }")
    at = job.get_by_label("At (m:ss)")
    expect(at).to_have_value("0:12")
    job.get_by_label("Comment at this time").fill("Wrong voice here.")
    job.get_by_role("button", name="Comment", exact=True).click()
    pin = job.get_by_role("button", name="Play from 0:12")
    expect(pin).to_be_visible()
    expect(job.locator(".pin-marker")).to_have_count(1)
    shoot(page, "comments-pinned-on-dub")

    # The editor, in another browser context, sees the pin and clicks it: the player goes to 0:12.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    try:
        second = other.new_page()
        log_in(second, "eddie")
        second.goto(project.get_absolute_url())
        their_job = second.locator(f"#job-{studio['dub'].pk}")
        expect(their_job.get_by_text("Wrong voice here.")).to_be_visible()
        their_player = their_job.locator("video")
        their_player.evaluate(
            "v => new Promise(r => v.readyState >= 1 ? r() : v.addEventListener('loadedmetadata', r, {once: true}))"
        )
        assert their_player.evaluate("v => v.currentTime") == 0
        their_job.get_by_role("button", name="Play from 0:12").click()
        second.wait_for_function(
            "id => document.querySelector(`#job-${id} video`).currentTime === 12", arg=studio["dub"].pk
        )
        # The marker sits at 12/43 of the track.
        left = their_job.locator(".pin-marker").evaluate("m => parseFloat(m.style.left)")
        assert abs(left - 100 * 12 / 43) < 0.5
    finally:
        other.close()


def test_a_segment_comment_with_a_mention_picked_by_keyboard(page, studio):
    project = studio["project"]
    log_in(page, "rita")
    page.goto(f"/projects/{project.pk}/script/")
    first = page.get_by_role("listitem", name="Segment at 00:00:00.800")
    first.click()
    page.keyboard.press("Alt+c")
    dialog = page.get_by_role("dialog", name="Segment at 0:00")
    expect(dialog).to_be_visible()
    box = dialog.get_by_label("New comment on this segment")
    expect(box).to_be_focused()
    box.press_sequentially("Please shorten this, @ed")
    listbox = dialog.get_by_role("listbox", name="Team members to mention")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(box).to_have_attribute("aria-expanded", "true")
    # Arrow keys move the active option; Enter takes it; the focus never leaves the text.
    box.press("ArrowDown")
    expect(listbox.get_by_role("option", name="@eddie")).to_have_attribute("aria-selected", "true")
    shoot(page, "comments-mention-listbox")
    box.press("Enter")
    expect(box).to_have_value("Please shorten this, @eddie ")
    expect(listbox).to_be_hidden()
    box.press_sequentially("<b>thanks</b> @ma")
    expect(listbox.get_by_role("option", name="@manny")).to_be_visible()
    # Escape closes the suggestions, not the dialog; an @name not picked (and unknown) stays text.
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(dialog).to_be_visible()
    box.press("Control+Enter")
    expect(dialog.locator(".comment-body .mention")).to_have_text("@eddie")
    expect(dialog.locator(".comment-body")).to_contain_text("<b>thanks</b> @ma")  # shown as text, not markup
    badge = page.locator(f"#seg-{first.get_attribute('data-id')}-comments")
    expect(badge).to_have_text("1")
    expect(page.locator("#open-comments-count")).to_contain_text("1")
    shoot(page, "comments-segment-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # The badge opens the thread again.
    badge.click()
    expect(dialog.locator(".comment-body")).to_contain_text("Please shorten this")
    # Resolved by keyboard: the row's count goes, the focus stays on the thread, which can be reopened.
    dialog.get_by_role("button", name="Resolve").press("Enter")
    expect(dialog.get_by_role("button", name="Reopen")).to_be_visible()
    expect(badge).to_be_hidden()
    expect(dialog.locator(".thread")).to_be_focused()
    expect(page.locator("#open-comments-count")).to_have_count(0)


def test_the_project_discussion_with_a_link_a_reply_and_a_resolved_thread(page, studio):
    project = studio["project"]
    log_in(page, "manny")
    page.goto(project.get_absolute_url())
    box = page.get_by_label("New comment on the project")
    box.fill("Glossary: https://example.com/glossary\nProduct names stay in English.")
    page.get_by_role("button", name="Comment", exact=True).first.click()
    link = page.get_by_role("link", name="https://example.com/glossary")
    expect(link).to_have_attribute("rel", "noopener nofollow ugc")
    box = page.get_by_label("New comment on the project")
    box.fill("Old question, answered.")
    box.press("Control+Enter")
    threads = page.locator("#comments-project .thread")
    expect(threads).to_have_count(2)
    threads.nth(1).get_by_role("button", name="Resolve").click()
    expect(threads.nth(1).get_by_role("button", name="Reopen")).to_be_visible()
    threads.first.locator("summary", has_text="Reply").click()
    threads.first.get_by_label("Your reply").fill("Also: @rita please check the names.")
    threads.first.get_by_role("button", name="Reply").click()
    expect(page.locator("#comments-project .replies .mention")).to_have_text("@rita")
    expect(page.locator("#comments-project .comment-count")).to_contain_text("1 open · 2 in all")
    page.locator("#comments-project").scroll_into_view_if_needed()
    shoot(page, "comments-project-discussion")


def test_a_pause_before_the_comments_arrive_still_sets_their_time(page, studio):
    """The reviewer pauses the dub before its comments have loaded (a slow page): the comment form that
    arrives then takes the time they paused at, not 0:00."""
    project, dub = studio["project"], studio["dub"]
    held = []
    page.route(f"**/jobs/{dub.pk}/comments/", lambda route: held.append(route))
    log_in(page, "rita")
    with page.expect_request(f"**/jobs/{dub.pk}/comments/"):
        page.goto(project.get_absolute_url())
    job = page.locator(f"#job-{dub.pk}")
    player = job.locator("video")
    expect(job.get_by_text("Loading comments…")).to_be_visible()
    player.evaluate(
        """v => new Promise(r => {
            const seek = () => { v.addEventListener("seeked", r, {once: true}); v.currentTime = 12; v.pause(); };
            v.readyState >= 1 ? seek() : v.addEventListener("loadedmetadata", seek, {once: true});
        })"""
    )
    expect(job.get_by_text("Loading comments…")).to_be_visible()  # still loading when the player paused
    held[0].continue_()
    expect(job.get_by_label("At (m:ss)")).to_have_value("0:12")
