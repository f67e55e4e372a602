"""A team reviews a script end to end in Chromium, three people in three browsers (issue 10):

the editor changes an approved line, which needs review again; the reviewer finds it under "Needs my
review", asks for changes with a reason and a comment mentioning the editor; the editor's unread count
rises without a reload, the notification leads to the line, the editor fixes it; all three see each other
on the lines they are on; the reviewer approves what needs review in bulk, by keyboard; the manager sees
the change since the last push (old and new text) and pushes without override; the reviewer pins a
comment at 0:12 on the finished dub and the editor's click takes the player there.

Only the world is set up through the services (people, the pushed script, the finished dub); every step
of the chain goes through the pages, against the built-in provider sandbox over real HTTP."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.files import File
from playwright.sync_api import expect

from projects.models import Notification, ReviewStatus, Role, Segment, Submission
from projects.services import editing

from ..factories import (
    MembershipFactory,
    ProjectFactory,
    SegmentFactory,
    SpeakerFactory,
    TeamFactory,
    UserFactory,
    approve_all,
)
from .test_providers_browser import sandboxed  # noqa: F401 (a fixture)
from .test_push_review_browser import run

POLL = 12_000  # presence and the unread count are asked every 4 s: on screen within a few polls
KEYNOTE = django_settings.BASE_DIR / "static" / "demo" / "keynote.mp4"  # 43 s, plays in Chromium
LINES = ["Bonjour à tous, et bienvenue.", "Merci d'être venus si nombreux.", "Commençons par les chiffres.",
         "Les ventes ont doublé.", "C'est un record historique."]  # fmt: skip
EDITED = "Bonjour à toutes et à tous, bienvenue."
FIXED = "Bonjour à toutes et à tous."


@pytest.fixture
def team_keynote(transactional_db, sandboxed, settings):  # noqa: F811
    """The keynote of the Blue Studio team, approved and pushed once to Dubformer (the diff's baseline);
    since then the editor changed the last two lines (they need review); a ModelsLab dub has finished."""
    team = TeamFactory(name="Blue Studio", slug="blue")
    elena, rita, marco = (
        MembershipFactory(
            team=team, role=role, user=UserFactory(username=name, email=f"{name}@example.com")
        ).user
        for name, role in (("elena", Role.EDITOR), ("rita", Role.REVIEWER), ("marco", Role.MANAGER))
    )
    project = ProjectFactory(team=team, title="Launch keynote", source_video_url="/static/demo/keynote.mp4",
                             video_duration_ms=43_000)  # fmt: skip
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna", voice_key="soundalike")
    for n, text in enumerate(LINES):
        SegmentFactory(project=project, start_ms=1000 + n * 4000, end_ms=4000 + n * 4000, target_text=text,
                       source_text=f"English line {n + 1}", speaker=anna)  # fmt: skip
    approve_all(project)
    run(project, Submission.Kind.CREATE_PROJECT, marco)
    project.refresh_from_db()
    run(project, Submission.Kind.RETRANSLATE, marco)
    for segment, text in zip(
        project.segments.all()[3:], ["Les ventes ont triplé.", "Un record historique."], strict=True
    ):
        editing.save_segment(project, segment.pk, {"target_text": text}, version=segment.version, by=elena)
    dub = Submission.objects.create(
        project=project, provider=Submission.Provider.MODELSLAB, kind=Submission.Kind.NEW_DUB,
        status=Submission.Status.SUCCEEDED, output_video_url="https://cdn.example.com/dub.mp4",
        output_copy=Submission.OutputCopy.KEPT, created_by=marco,
    )  # fmt: skip
    with KEYNOTE.open("rb") as video:
        dub.output_video_file.save("dub.mp4", File(video), save=True)
    Notification.objects.all().delete()  # what the set-up told people is not part of the story
    return project, dub


def rows(page):
    return page.locator("#segment-list .seg[data-id]")


def row(page, n):
    return rows(page).nth(n - 1)


def line(page, text):
    """The row whose translation is `text`."""
    return rows(page).filter(has=page.locator(".seg-text", has_text=re.compile(f"^{re.escape(text)}$")))


def status(a_row):
    return a_row.locator(".review")


def translation(page):
    return page.locator("#seg-editor").get_by_label(re.compile("^Translation"))


def open_editor(page, project, query=""):
    page.goto(f"/projects/{project.pk}/script/{query}")
    expect(rows(page).first).to_be_visible()


def wait_for_metadata(player):
    player.evaluate(
        "v => new Promise(r => v.readyState >= 1 ? r() : v.addEventListener('loadedmetadata', r, {once: true}))"
    )


def test_a_team_reviews_an_edit_pushes_it_and_comments_on_the_dub(people, team_keynote, screenshot):
    project, dub = team_keynote

    def shoot(page, name):
        """Screenshots at desktop and phone width; on the phone nothing pushes the page sideways."""
        screenshot(page, name)
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{name}: wider than a phone"
        page.set_viewport_size({"width": 1280, "height": 860})

    elena, rita, marco = people("elena", "rita", "marco")
    for page in (elena, rita, marco):
        page.context.set_default_timeout(POLL)

    # 1. The editor changes the approved first line: it needs review again.
    open_editor(elena, project)
    expect(status(row(elena, 1))).to_have_text("Approved")
    row(elena, 1).click()
    text = translation(elena)
    text.fill(EDITED)
    text.press("Control+Enter")
    expect(row(elena, 1).locator(".seg-state")).to_have_text("Saved")
    expect(status(row(elena, 1))).to_have_text("Needs review")
    expect(elena.locator("#review-progress")).to_contain_text("Needs review 3")
    shoot(elena, "team-review-1-edited")

    # 2. The reviewer shows what needs their review: the edited line and the two edited before.
    open_editor(rita, project)
    rita.get_by_role("link", name="Needs my review").click()
    expect(rows(rita)).to_have_count(3)
    expect(line(rita, EDITED)).to_have_count(1)
    expect(status(line(rita, EDITED))).to_have_text("Needs review")
    line(rita, EDITED).click()
    expect(rita.locator("#review-current")).to_contain_text("Needs review")
    rita.get_by_label("Reason for changes").fill("« à toutes et à tous » is too long for the line.")
    rita.get_by_role("button", name="Request changes", exact=True).click()
    expect(rita.locator("#editor-message")).to_contain_text(
        "Asked for changes to the segment at 00:00:01.000"
    )
    expect(status(line(rita, EDITED))).to_have_text("Changes requested")
    expect(line(rita, EDITED).locator(".review-reason")).to_contain_text("too long for the line")

    # ... and a comment on the line for the editor, the mention picked from the suggestions.
    rita.keyboard.press("Alt+c")
    dialog = rita.get_by_role("dialog", name="Segment at 0:01")
    box = dialog.get_by_label("New comment on this segment")
    expect(box).to_be_focused()
    box.press_sequentially("@el")
    dialog.get_by_role("listbox", name="Team members to mention").get_by_role("option", name="@elena").click()
    expect(box).to_have_value("@elena ")
    box.press_sequentially("could we say « à tous » only?")
    box.press("Control+Enter")
    expect(dialog.locator(".comment-body .mention")).to_have_text("@elena")
    shoot(rita, "team-review-2-changes-requested")
    rita.keyboard.press("Escape")
    expect(line(rita, EDITED).locator(".seg-comments")).to_have_text("1")

    # 3. The editor, who kept the editor open, is told without a reload: changes asked, and mentioned.
    expect(elena.locator("#notification-badge")).to_have_text("2 unread", timeout=POLL)
    elena.get_by_role("link", name="Notifications").click()
    expect(elena.get_by_role("button", name=re.compile("rita mentioned you"))).to_be_visible()
    shoot(elena, "team-review-3-notifications")
    elena.get_by_role("button", name=re.compile("rita asks for changes")).click()
    elena.wait_for_url(re.compile(r"/script/\?status=changes_requested$"))
    expect(rows(elena)).to_have_count(1)
    expect(row(elena, 1).locator(".review-reason")).to_contain_text("too long for the line")
    row(elena, 1).click()
    text = translation(elena)
    text.fill(FIXED)
    text.press("Control+Enter")
    expect(row(elena, 1).locator(".seg-state")).to_have_text("Saved")
    expect(status(row(elena, 1))).to_have_text("Needs review")
    expect(elena.locator("#notification-badge")).to_have_text(
        "1 unread", timeout=POLL
    )  # the mention is still to read

    # 4. All three in the script, each on a line: each sees the others' names on those lines.
    open_editor(elena, project)
    open_editor(rita, project)
    open_editor(marco, project)
    row(elena, 1).click()
    row(rita, 4).click()
    row(marco, 2).click()
    on_line = {"elena": 1, "rita": 4, "marco": 2}
    for viewer, page in (("elena", elena), ("rita", rita), ("marco", marco)):
        for name, n in on_line.items():
            if name != viewer:
                expect(page.locator("#presence")).to_contain_text(name, timeout=POLL)
                expect(row(page, n).locator(".seg-here")).to_have_text(name, timeout=POLL)
        expect(row(page, on_line[viewer]).locator(".seg-here")).to_have_count(0)  # not themselves
    expect(row(rita, 3).locator(".seg-here")).to_have_count(0)
    shoot(rita, "team-review-4-presence")

    # 5. The reviewer approves, by keyboard, every line needing review that has no open problem.
    approve_clean = rita.get_by_role("button", name="Approve all needing review without problems")
    approve_clean.focus()
    rita.keyboard.press("Enter")
    expect(rita.locator("#editor-message")).to_contain_text("Approved 3 segments")
    for n in range(1, 6):
        expect(status(row(rita, n))).to_have_text("Approved")
    expect(rita.locator("#review-progress")).to_contain_text("Approved 5")
    expect(status(row(elena, 5))).to_have_text("Approved", timeout=POLL)  # the editor's screen follows
    assert set(Segment.objects.values_list("review_status", flat=True)) == {ReviewStatus.APPROVED}

    # 6. The manager sees what changed since the last push, the old text beside the new, and pushes.
    marco.goto(project.get_absolute_url())
    panel = marco.locator("#providers-panel")
    panel.locator("summary", has_text="Push re-translation to Dubformer").click()
    form = panel.locator("#action-retranslate")
    changes = form.get_by_role("region", name="Changed since the last push")
    expect(changes.get_by_label("Changes by kind")).to_have_text("3 text changed")
    first = changes.locator(".push-change").nth(0)
    expect(first.locator(".push-text-old")).to_have_text(f"Pushed {LINES[0]}")
    expect(first.locator(".push-text-new")).to_have_text(f"Now {FIXED}")
    expect(changes).to_contain_text("by marco")  # who made the push compared with
    expect(form.get_by_text("Every segment is approved.")).to_be_visible()
    expect(form.get_by_label("Send anyway", exact=False)).to_have_count(0)
    shoot(marco, "team-review-6-push-diff")
    jobs_before = Submission.objects.count()
    form.get_by_role("button", name="Push re-translation").click()
    expect(panel.locator(".job").first).to_contain_text("Re-translation", ignore_case=True)
    expect(panel.locator(".job").first.locator(".badge", has_text="Succeeded")).to_be_visible(timeout=20_000)
    pushed = Submission.objects.order_by("-id").first()
    assert Submission.objects.count() == jobs_before + 1
    assert pushed.kind == Submission.Kind.RETRANSLATE and pushed.override_by is None
    assert [row[3] for row in pushed.script_snapshot][:1] == [FIXED]

    # 7. The reviewer watches the dub, pauses at 0:12 and pins a comment there.
    rita.goto(project.get_absolute_url())
    job = rita.locator(f"#job-{dub.pk}")
    player = job.locator("video")
    expect(player).to_be_visible()
    wait_for_metadata(player)
    player.evaluate("v => { v.currentTime = 12; v.pause(); }")
    expect(job.get_by_label("At (m:ss)")).to_have_value("0:12")
    job.get_by_label("Comment at this time").fill("Wrong voice here: Anna sounds like Ben.")
    job.get_by_role("button", name="Comment", exact=True).click()
    expect(job.get_by_role("button", name="Play from 0:12")).to_be_visible()
    shoot(rita, "team-review-7-pinned")

    # The editor sees the pin on the same job and clicks it: the player goes to 0:12.
    elena.goto(project.get_absolute_url())
    their_job = elena.locator(f"#job-{dub.pk}")
    expect(their_job.get_by_text("Wrong voice here")).to_be_visible()
    their_player = their_job.locator("video")
    wait_for_metadata(their_player)
    assert their_player.evaluate("v => v.currentTime") == 0
    their_job.get_by_role("button", name="Play from 0:12").click()
    elena.wait_for_function("id => document.querySelector(`#job-${id} video`).currentTime === 12", arg=dub.pk)
