"""The project's review state: submitted by editors, approved for dubbing by reviewers once every segment
is approved, and back in review when the script changes after the approval."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Activity, Project, ReviewStatus, ScriptSnapshot
from projects.services import editing, project_review, scripts

from .factories import SegmentFactory, SpeakerFactory, approve_all

HTMX = {"HTTP_HX_REQUEST": "true"}


def submit_url(project):
    return reverse("projects:review-submit", args=[project.pk])


def approve_url(project):
    return reverse("projects:review-approve", args=[project.pk])


def review_lines(project):
    return list(
        Activity.objects.filter(project=project, verb="review").values_list("actor__username", "message")
    )


@pytest.fixture
def script(project):
    for n in range(3):
        SegmentFactory(project=project, start_ms=n * 3000, end_ms=n * 3000 + 2000, target_text=f"Ligne {n}.")
    return project


@pytest.fixture
def in_review(script):
    Project.objects.filter(pk=script.pk).update(status=Project.Status.IN_REVIEW)
    script.refresh_from_db()
    return script


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("owner", True), ("manager", True), ("editor", True), ("reviewer", False), ("viewer", False)],
)
def test_editors_managers_and_owners_submit_for_review(client, request, script, role, allowed):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.post(submit_url(script), **HTMX)
    script.refresh_from_db()
    if allowed:
        assert response.status_code == 200
        assert "Submitted for review." in response.content.decode()
        assert script.status == Project.Status.IN_REVIEW
        assert review_lines(script) == [(user.username, "Submitted the project for review")]
    else:
        assert response.status_code == 403
        assert script.status == Project.Status.DRAFT
        assert review_lines(script) == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("owner", True), ("manager", True), ("reviewer", True), ("editor", False), ("viewer", False)],
)
def test_reviewers_managers_and_owners_approve_for_dubbing(client, request, in_review, role, allowed):
    approve_all(in_review)
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.post(approve_url(in_review), **HTMX)
    in_review.refresh_from_db()
    if allowed:
        assert response.status_code == 200
        body = response.content.decode()
        assert "Approved for dubbing." in body
        assert (
            'id="project-status" class="badge badge-approved" hx-swap-oob="true"' in body
        )  # the page's badge
        assert in_review.status == Project.Status.APPROVED
        assert review_lines(in_review) == [(user.username, "Approved the project for dubbing")]
    else:
        assert response.status_code == 403
        assert in_review.status == Project.Status.IN_REVIEW


def test_another_teams_project_is_not_there(client, outsider, in_review):
    client.force_login(outsider)
    assert client.post(approve_url(in_review), **HTMX).status_code == 404
    assert client.post(submit_url(in_review), **HTMX).status_code == 404
    in_review.refresh_from_db()
    assert in_review.status == Project.Status.IN_REVIEW


def test_approval_says_how_many_segments_are_not_approved(client, reviewer, in_review):
    first = in_review.segments.first()
    editing.save_segment(in_review, first.pk, {"review_status": ReviewStatus.APPROVED}, version=first.version,
                         by=reviewer)  # fmt: skip
    client.force_login(reviewer)
    response = client.post(approve_url(in_review), **HTMX)
    assert response.status_code == 409
    assert "2 segments are not approved yet" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == Project.Status.IN_REVIEW
    assert review_lines(in_review) == []


def test_one_segment_left_is_said_in_the_singular(in_review, reviewer):
    approve_all(in_review)
    last = in_review.segments.last()
    editing.save_segment(in_review, last.pk, {"review_status": ReviewStatus.CHANGES_REQUESTED},
                         version=last.version, by=reviewer)  # fmt: skip
    with pytest.raises(project_review.ReviewError, match="1 segment is not approved yet"):
        project_review.approve_for_dubbing(in_review, by=reviewer)


def test_a_draft_is_submitted_before_it_is_approved(script, reviewer):
    approve_all(script)
    with pytest.raises(project_review.ReviewError, match="submit it for review before approving it"):
        project_review.approve_for_dubbing(script, by=reviewer)
    script.refresh_from_db()
    assert script.status == Project.Status.DRAFT


def test_an_empty_script_cannot_be_approved(project, reviewer):
    Project.objects.filter(pk=project.pk).update(status=Project.Status.IN_REVIEW)
    project.refresh_from_db()
    with pytest.raises(project_review.ReviewError, match="no segments"):
        project_review.approve_for_dubbing(project, by=reviewer)


def test_approving_twice_approves_once(in_review, reviewer, manager):
    approve_all(in_review)
    stale_copy = Project.objects.get(pk=in_review.pk)
    project_review.approve_for_dubbing(in_review, by=reviewer)
    with pytest.raises(project_review.ReviewError, match="already approved"):
        project_review.approve_for_dubbing(stale_copy, by=manager)  # read before the first approval
    assert review_lines(in_review) == [("rita", "Approved the project for dubbing")]


def test_a_segment_sent_back_during_the_approval_wins(in_review, reviewer):
    """The stored counts are checked again by the UPDATE that approves."""
    approve_all(in_review)
    original = project_review.unapproved
    project_review.unapproved = lambda project: 0  # the check ran before the segment was sent back
    try:
        last = in_review.segments.last()
        editing.save_segment(in_review, last.pk, {"review_status": ReviewStatus.NEEDS_REVIEW},
                             version=last.version, by=reviewer)  # fmt: skip
        with pytest.raises(project_review.ReviewError, match="no longer approved"):
            project_review.approve_for_dubbing(in_review, by=reviewer)
    finally:
        project_review.unapproved = original
    in_review.refresh_from_db()
    assert in_review.status == Project.Status.IN_REVIEW


def _approved(project, reviewer):
    approve_all(project)
    project_review.approve_for_dubbing(project, by=reviewer)
    assert project.status == Project.Status.APPROVED


def _save_text(project, user):
    segment = project.segments.first()
    editing.save_segment(project, segment.pk, {"target_text": "Autre."}, version=segment.version, by=user)


def _insert(project, user):
    editing.insert_after(project, project.segments.last().pk, by=user)


def _delete(project, user):
    editing.delete_segments(project, [project.segments.last().pk], by=user)


def _shift(project, user):
    editing.shift_segments(project, delta_ms=200, from_ms=3000, by=user)


def _split(project, user):
    segment = project.segments.first()
    editing.split_segment(project, segment.pk, version=segment.version, at_ms=1000, by=user)


def _speaker(project, user):
    editing.set_speaker(project, [project.segments.first().pk], SpeakerFactory(project=project), by=user)


def _replace(project, user):
    editing.replace_text(project, "Ligne", "Réplique", by=user)


def _restore(project, user):
    scripts.replace_script(project, scripts.script_from_project(project), by=user, reason="test")
    scripts.restore_snapshot(ScriptSnapshot.objects.get(), by=user)


@pytest.mark.parametrize(
    "edit",
    [_save_text, _insert, _delete, _shift, _split, _speaker, _replace, _restore],
    ids=lambda f: f.__name__,
)
def test_any_script_change_after_the_approval_takes_the_project_back_to_review(
    in_review, reviewer, editor, edit
):
    _approved(in_review, reviewer)
    edit(in_review, editor)
    in_review.refresh_from_db()
    assert in_review.status == Project.Status.IN_REVIEW
    assert review_lines(in_review)[0] == (
        editor.username,
        "The script changed after the approval: the project is back in review",
    )


def test_undo_after_the_approval_takes_it_back_to_review_too(in_review, editor):
    _save_text(in_review, editor)
    # approved as it is (the segments' own review states are the editor-side work's; undo checks them)
    Project.objects.filter(pk=in_review.pk).update(status=Project.Status.APPROVED)
    in_review.refresh_from_db()
    editing.undo(in_review, by=editor)
    in_review.refresh_from_db()
    assert in_review.status == Project.Status.IN_REVIEW
    assert review_lines(in_review)[0][0] == editor.username


def test_edits_before_the_approval_change_no_status(in_review, editor):
    _save_text(in_review, editor)
    _insert(in_review, editor)
    in_review.refresh_from_db()
    assert in_review.status == Project.Status.IN_REVIEW
    assert review_lines(in_review) == []


def test_a_save_asks_nothing_more_of_the_database_unless_the_project_is_approved(in_review, editor):
    """The hook reads the status the request already has: the editor's save costs what it cost."""
    segment = in_review.segments.first()
    with CaptureQueriesContext(connection) as queries:
        editing.save_segment(
            in_review, segment.pk, {"target_text": "Un."}, version=segment.version, by=editor
        )
    assert not any("projects_project" in query["sql"] and "UPDATE" in query["sql"] for query in queries)


def test_the_project_form_cannot_approve(client, manager, in_review):
    client.force_login(manager)
    response = client.post(
        reverse("projects:edit", args=[in_review.pk]),
        {"title": in_review.title, "source_video_url": "", "source_language": "en-US", "target_language": "fr-FR",
         "status": "approved", "dubformer_project_id": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Use “Approve for dubbing” on the project page" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == Project.Status.IN_REVIEW


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        ("editor", ["Submit for review"]),
        ("reviewer", []),
        ("viewer", []),
        ("manager", ["Submit for review"]),
    ],
)
def test_the_project_page_offers_what_this_person_may_do_now(client, request, script, role, buttons):
    client.force_login(request.getfixturevalue(role))
    body = client.get(script.get_absolute_url()).content.decode()
    shown = [label for label in ("Submit for review", "Approve for dubbing") if f">{label}</button>" in body]
    assert shown == buttons
    assert "3</strong> not approved" in body


def test_in_review_reviewers_see_approve_and_editors_do_not(client, reviewer, editor, in_review):
    client.force_login(reviewer)
    assert ">Approve for dubbing</button>" in client.get(in_review.get_absolute_url()).content.decode()
    client.force_login(editor)
    body = client.get(in_review.get_absolute_url()).content.decode()
    assert ">Approve for dubbing</button>" not in body and ">Submit for review</button>" not in body


def test_without_javascript_the_move_comes_back_to_the_page_with_its_message(client, reviewer, in_review):
    client.force_login(reviewer)
    response = client.post(approve_url(in_review), follow=True)
    assert "3 segments are not approved yet" in response.content.decode()
    assert response.redirect_chain[-1][0] == in_review.get_absolute_url()
