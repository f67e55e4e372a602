"""Notifications: written for the people concerned, counted in the header, opened, emailed unless turned off."""

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import Notification, NotificationSettings, Submission
from projects.services import notifications, submissions

from .factories import SegmentFactory, UserFactory

Kind = Notification.Kind


@pytest.fixture
def job(project, manager):
    return Submission.objects.create(
        project=project,
        provider=Submission.Provider.MODELSLAB,
        kind=Submission.Kind.NEW_DUB,
        status=Submission.Status.WAITING,
        created_by=manager,
    )


def test_nobody_is_told_of_what_they_did_themselves(project, editor, reviewer):
    notes = notifications.notify([editor, reviewer], Kind.MENTION, text="Rita mentioned you", actor=reviewer)
    assert [note.user for note in notes] == [editor]
    inactive = UserFactory(username="gone", is_active=False)
    assert notifications.notify([inactive], Kind.MENTION, text="Hello") == []


def test_a_job_that_ends_tells_and_emails_who_started_it(job, manager, django_capture_on_commit_callbacks):
    manager.email = "manny@example.com"
    manager.save()
    with django_capture_on_commit_callbacks(execute=True):
        submissions._fail(job, "The provider refused the video.")  # what the worker does on a refusal
    note = Notification.objects.get(user=manager)
    assert note.kind == Kind.JOB_FAILED and "New ModelsLab dub for “Launch keynote” failed" in note.text
    assert note.url == f"/projects/jobs/?project={job.project_id}"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["manny@example.com"]
    assert "/projects/jobs/?project=" in mail.outbox[0].body


def test_no_email_for_a_kind_the_person_turned_off(client, job, manager, django_capture_on_commit_callbacks):
    manager.email = "manny@example.com"
    manager.save()
    client.force_login(manager)
    response = client.post(
        reverse("projects:notifications"), {"email_mentions": "on", "email_assignments": "on"}
    )
    assert response.status_code == 302
    assert NotificationSettings.objects.get(user=manager).email_jobs is False
    with django_capture_on_commit_callbacks(execute=True):
        submissions._fail(job, "Refused.")
    assert Notification.objects.filter(user=manager).count() == 1  # still told in dubweb
    assert mail.outbox == []


def test_the_header_count_opening_and_reading_all(client, project, editor, reviewer):
    for n in range(3):
        notifications.notify(
            [editor], Kind.MENTION, text=f"Mention {n}", url=f"/projects/{project.pk}/", actor=reviewer
        )
    client.force_login(editor)
    badge = client.get(reverse("projects:notification-count")).content.decode()
    assert '<span class="notif-count">3</span>' in badge

    first = Notification.objects.filter(user=editor).last()
    response = client.post(reverse("projects:notification-open", args=[first.pk]))
    assert response.status_code == 302 and response.url == f"/projects/{project.pk}/"
    assert (
        '<span class="notif-count">2</span>'
        in client.get(reverse("projects:notification-count")).content.decode()
    )

    page = client.get(reverse("projects:notifications")).content.decode()
    assert "Mention 2" in page and "2 unread" in page
    client.post(reverse("projects:notifications-read-all"))
    assert "notif-count" not in client.get(reverse("projects:notification-count")).content.decode()


@pytest.mark.parametrize(
    "stored", ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)", ""]
)
def test_opening_never_leaves_dubweb(client, editor, stored):
    note = Notification.objects.create(user=editor, kind=Kind.MENTION, text="x", url=stored)
    client.force_login(editor)
    response = client.post(reverse("projects:notification-open", args=[note.pk]))
    assert response.url == reverse("projects:notifications")


def test_someone_elses_notification_is_not_there(client, editor, reviewer):
    note = Notification.objects.create(user=reviewer, kind=Kind.MENTION, text="Private")
    client.force_login(editor)
    assert client.post(reverse("projects:notification-open", args=[note.pk])).status_code == 404
    assert client.post(f"/projects/notifications/{2**64}/open/").status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None
    assert "Private" not in client.get(reverse("projects:notifications")).content.decode()


def test_user_text_is_escaped(client, editor):
    Notification.objects.create(user=editor, kind=Kind.MENTION, text='<script>alert("x")</script>')
    client.force_login(editor)
    page = client.get(reverse("projects:notifications")).content.decode()
    assert '<script>alert("x")' not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("count", [10, 1000])
def test_the_list_and_the_count_cost_the_same_at_any_number(
    client, editor, reviewer, project, count, django_assert_max_num_queries
):
    Notification.objects.bulk_create(
        Notification(user=editor, kind=Kind.MENTION, text=f"Mention {n}", actor=reviewer, project=project)
        for n in range(count)
    )
    client.force_login(editor)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("projects:notifications")).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("projects:notification-count")).status_code == 200


# --- what tells whom ---------------------------------------------------------------------------------


def _as(user, project):
    from projects import access

    return access.get_project_for(user, project.pk)  # the project with the person's role, as views pass it


def test_a_mention_tells_the_person_once_and_an_edit_tells_only_the_newly_mentioned(
    project, editor, reviewer, manager
):
    from projects.services import comments

    note = comments.comment_on_project(_as(reviewer, project), "@eddie can you check the intro?", by=reviewer)
    assert list(Notification.objects.values_list("user__username", "kind")) == [("eddie", "mention")]
    assert (
        "rita mentioned you on “Launch keynote”: @eddie can you check the intro?"
        in Notification.objects.get().text
    )
    comments.edit(_as(reviewer, project), note, "@eddie and @manny can you check the intro?", by=reviewer)
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["eddie", "manny"]


def test_a_mention_on_a_segment_leads_to_that_segment_and_one_on_the_project_to_the_project(
    client, project, editor, reviewer, speaker
):
    from projects.services import comments

    line = SegmentFactory(project=project, speaker=speaker)
    comments.comment_on_segment(_as(reviewer, project), line, "@eddie this one", by=reviewer)
    comments.comment_on_project(_as(reviewer, project), "@eddie and the rest", by=reviewer)
    on_line, on_project = Notification.objects.order_by("id")
    assert on_line.url == f"/projects/{project.pk}/script/?segment={line.pk}&thread=open"
    assert on_project.url == f"/projects/{project.pk}/"
    client.force_login(editor)
    opened = client.post(reverse("projects:notification-open", args=[on_line.pk]))
    assert opened.status_code == 302 and opened.url == on_line.url


def test_asking_for_review_tells_the_assigned_reviewer_else_the_teams_reviewers(
    project, editor, reviewer, manager, speaker
):
    from projects.models import Assignment
    from projects.services import review

    first, second = (
        SegmentFactory(project=project, speaker=speaker, start_ms=n * 3000, end_ms=n * 3000 + 2000)
        for n in (0, 1)
    )
    review.move(project, "request_review", by=editor, segment_pks=[first.pk])
    assert list(Notification.objects.values_list("user__username", "kind")) == [("rita", "review_requested")]
    Notification.objects.all().delete()
    Assignment.objects.create(project=project, user=manager, task="review")
    review.move(project, "request_review", by=editor, segment_pks=[second.pk])
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["manny"]


def test_asking_for_changes_tells_the_translator_with_the_reason(project, editor, reviewer, speaker):
    from projects.services import editing, review

    segment = SegmentFactory(project=project, speaker=speaker, target_text="Bonjour")
    editing.save_segment(
        project, segment.pk, {"target_text": "Bonjour à tous"}, version=segment.version, by=editor
    )
    review.move(
        project, "request_changes", by=reviewer, segment_pks=[segment.pk], reason="Too long for the slot"
    )
    note = Notification.objects.get()
    assert (note.user, note.kind) == (
        editor,
        "changes_requested",
    )  # the last to edit it, nobody being assigned
    assert note.text.endswith("Too long for the slot") and note.url.endswith("?status=changes_requested")
