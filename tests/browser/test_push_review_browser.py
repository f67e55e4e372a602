"""A manager opens the push form after the script was edited, sees what changed since the last push, and pushes
without override once every segment is approved; with segments left unapproved, sending needs the labelled
confirmation, and the job says who gave it. Against the built-in sandbox over real HTTP."""

import pytest
from playwright.sync_api import expect

from projects.models import Role, Submission
from projects.services import editing, submissions

from ..factories import (
    MembershipFactory,
    ProjectFactory,
    SegmentFactory,
    SpeakerFactory,
    UserFactory,
    approve_all,
)
from .conftest import log_in
from .test_providers_browser import sandboxed  # noqa: F401 (a fixture)

LINES = ["Bonjour à tous.", "Merci d'être venus ce soir.", "Voici notre nouveau produit.", "Il change tout."]


def run(project, kind, by):
    """Queue, send and follow one action to its end, the way the worker and the scheduler do."""
    job = submissions.queue(project, kind, by=by, enqueue=False)
    submissions.send(job.pk)
    for _ in range(5):
        job.refresh_from_db()
        if job.finished:
            break
        submissions.check(job.pk)
    job.refresh_from_db()
    assert job.status == Submission.Status.SUCCEEDED, job.error_message
    return job


@pytest.fixture
def pushed(transactional_db, sandboxed):  # noqa: F811
    """The keynote, created on Dubformer and pushed once with every segment approved; then edited."""
    manager = MembershipFactory(user=UserFactory(username="marco", first_name="Marco", last_name="Rossi"),
                                role=Role.MANAGER).user  # fmt: skip
    project = ProjectFactory(team=manager.teams.get(), title="Launch keynote", source_video_url="/static/demo/keynote.mp4",
                             video_duration_ms=14_500)  # fmt: skip
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna", voice_key="soundalike")
    for n, text in enumerate(LINES):
        SegmentFactory(project=project, start_ms=800 + n * 3000, end_ms=3100 + n * 3000, target_text=text,
                       speaker=anna)  # fmt: skip
    approve_all(project)
    run(project, Submission.Kind.CREATE_PROJECT, manager)
    project.refresh_from_db()
    run(project, Submission.Kind.RETRANSLATE, manager)
    first, second, third, _ = project.segments.all()
    editing.save_segment(project, first.pk, {"target_text": "Bonjour à vous tous."}, version=first.version,
                         by=manager)  # fmt: skip
    editing.shift_segments(project, delta_ms=400, segment_pks=[second.pk], by=manager)
    editing.delete_segments(project, [third.pk], by=manager)
    return project, manager


def open_push_form(page, project):
    page.goto(f"/projects/{project.pk}/")
    panel = page.locator("#providers-panel")
    panel.locator("summary", has_text="Push re-translation to Dubformer").click()
    return panel, panel.locator("#action-retranslate")


def test_the_manager_sees_the_changes_since_the_last_push_and_pushes_them(page, pushed, screenshot):
    project, _ = pushed
    approve_all(project)  # the reviewers approved the edits
    log_in(page, "marco")
    panel, form = open_push_form(page, project)
    changes = form.get_by_role("region", name="Changed since the last push")
    expect(changes).to_be_visible()
    expect(changes.get_by_label("Changes by kind")).to_have_text("1 removed 1 text changed 1 timing changed")
    text_change = changes.locator(".push-change").nth(0)
    expect(text_change.locator(".push-text-old")).to_have_text("Pushed Bonjour à tous.")
    expect(text_change.locator(".push-text-new")).to_have_text("Now Bonjour à vous tous.")
    expect(text_change.locator("ins")).to_have_text("vous")
    expect(changes.locator(".push-change").nth(1)).to_contain_text(
        "00:00:03.800–00:00:06.100 → 00:00:04.200–00:00:06.500"
    )
    expect(changes.locator(".push-change").nth(2)).to_contain_text("Voici notre nouveau produit.")
    expect(changes).to_contain_text("by Marco Rossi")
    expect(form.get_by_text("Cost: typically 0 min.")).to_be_visible()
    expect(form.get_by_text("Every segment is approved.")).to_be_visible()
    expect(form.get_by_label("Send anyway", exact=False)).to_have_count(0)
    screenshot(page, "push-form-changes")

    form.get_by_role("button", name="Push re-translation").click()
    expect(panel.locator(".job .badge", has_text="Succeeded")).to_have_count(3, timeout=20_000)
    newest = Submission.objects.order_by("-id").first()
    assert newest.kind == Submission.Kind.RETRANSLATE and newest.override_by is None
    assert [row[3] for row in newest.script_snapshot] == ["Bonjour à vous tous.", LINES[1], LINES[3]]

    _, form = open_push_form(page, project)  # pushed: nothing left to show
    expect(form.get_by_text("No change since that push")).to_be_visible()


def test_unapproved_segments_need_the_managers_confirmation_which_the_job_shows(page, pushed, screenshot):
    project, _ = pushed  # the edited and the shifted segment went back to needs review (segment review)
    log_in(page, "marco")
    panel, form = open_push_form(page, project)
    expect(form.get_by_text("2 segments are not approved.")).to_be_visible()
    form.get_by_role("button", name="Push re-translation").click()
    expect(form.get_by_role("alert")).to_contain_text("2 segments are not approved, so nothing was sent.")
    assert Submission.objects.count() == 2  # nothing queued

    confirm = form.get_by_label("Send anyway: 2 segments are not approved")
    confirm.check()
    screenshot(page, "push-form-gate")
    form.get_by_role("button", name="Push re-translation").click()
    job = panel.locator(".job").first
    expect(job).to_contain_text("Sent anyway by Marco Rossi: 2 segments were not approved.")
    newest = Submission.objects.order_by("-id").first()
    assert newest.override_by.username == "marco" and newest.override_unapproved == 2


def test_a_reviewer_approves_the_project_from_its_page_once_every_segment_is(
    page, transactional_db, screenshot
):
    reviewer = MembershipFactory(user=UserFactory(username="rita"), role=Role.REVIEWER).user
    project = ProjectFactory(team=reviewer.teams.get(), title="Launch keynote", status="in_review")
    for n, text in enumerate(LINES[:2]):
        SegmentFactory(project=project, start_ms=n * 3000, end_ms=n * 3000 + 2000, target_text=text)
    log_in(page, "rita")
    page.goto(f"/projects/{project.pk}/")
    card = page.get_by_role("region", name="Review")
    expect(card).to_contain_text("2 segments, 2 not approved")
    card.get_by_role("button", name="Approve for dubbing").click()
    expect(card.get_by_role("alert")).to_have_text(
        "2 segments are not approved yet: every segment must be approved before the project is approved for dubbing."
    )
    expect(page.locator("#review-card")).to_be_focused()  # the answer is read where the button was
    approve_all(project)
    card.get_by_role("button", name="Approve for dubbing").click()
    expect(card.get_by_role("status")).to_have_text("Approved for dubbing.")
    expect(page.locator("#project-status")).to_have_text("Approved")  # the page's badge too, without a reload
    expect(card.get_by_role("button", name="Approve for dubbing")).to_have_count(0)
    page.reload()  # the page as it now is (the script's figures too: the segments were approved behind its back)
    expect(page.get_by_role("region", name="Review")).to_contain_text("2 segments, all approved")
    screenshot(page, "project-review-approved")
    project.refresh_from_db()
    assert project.status == "approved"
