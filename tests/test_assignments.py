"""Handing projects out: assignments with due dates, a team that keeps editing to assignees, My work."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Activity, Assignment, Notification, ReviewStatus, Segment
from projects.services import script_summary

from .factories import ProjectFactory, SegmentFactory, make_segments

HTMX = {"HX-Request": "true"}


def assign(client, project, user, task, due=""):
    url = reverse("projects:assignment-create", args=[project.pk])
    return client.post(url, {"user": user.pk, "task": task, "due_date": due}, headers=HTMX)


def test_a_manager_assigns_and_the_person_is_told(client, project, manager, editor):
    client.force_login(manager)
    response = assign(client, project, editor, "translate", "2026-12-24")
    assert response.status_code == 200
    assert "eddie is assigned to translate it." in response.content.decode()
    assignment = Assignment.objects.get()
    assert (assignment.user, assignment.due_date.isoformat(), assignment.assigned_by) == (
        editor,
        "2026-12-24",
        manager,
    )
    note = Notification.objects.get(user=editor)
    assert note.kind == "assigned" and "translate “Launch keynote” by 24 Dec 2026" in note.text
    assert Activity.objects.filter(project=project, verb="assign", actor=manager).exists()


@pytest.mark.parametrize(
    ("who", "task", "message"),
    [
        ("viewer", "translate", "vic is a viewer in this team and cannot translate projects."),
        ("reviewer", "translate", "rita is a reviewer in this team and cannot translate projects."),
        (
            "editor",
            "review",
            "eddie is an editor in this team and cannot review projects.",
        ),
    ],
)
def test_only_people_who_can_do_the_task_are_assigned(client, project, manager, request, who, task, message):
    person = request.getfixturevalue(who)
    client.force_login(manager)
    response = assign(client, project, person, task)
    assert response.status_code == 422 and message in response.content.decode()
    assert not Assignment.objects.exists() and not Notification.objects.exists()


def test_assigning_twice_or_someone_from_another_team_says_why(client, project, manager, editor, outsider):
    client.force_login(manager)
    assign(client, project, editor, "translate")
    again = assign(client, project, editor, "translate")
    assert again.status_code == 422 and "already assigned to translate" in again.content.decode()
    stranger = assign(client, project, outsider, "translate")
    assert stranger.status_code == 422 and "Person:" in stranger.content.decode()
    bad_date = assign(client, project, editor, "review", "31/31/2026")
    assert bad_date.status_code == 422 and "Due:" in bad_date.content.decode()
    assert Assignment.objects.count() == 1


def test_a_team_can_keep_editing_to_the_editors_assigned(client, team, project, manager, editor, speaker):
    segment = SegmentFactory(project=project, speaker=speaker, target_text="Avant")
    team.unassigned_can_edit = False
    team.save()
    save_url = reverse("projects:segment-save", args=[project.pk, segment.pk])
    data = {"field": "target_text", "target_text": "Après", "version": segment.version, "was": "Avant"}
    client.force_login(editor)
    assert client.post(save_url, data, headers=HTMX).status_code == 403
    assert Segment.objects.get(pk=segment.pk).target_text == "Avant"
    editor_page = client.get(reverse("projects:editor", args=[project.pk])).content.decode()
    assert 'data-can-edit="false"' in editor_page  # the editor opens read-only

    Assignment.objects.create(project=project, user=editor, task="translate", assigned_by=manager)
    assert client.post(save_url, data, headers=HTMX).status_code == 200
    assert Segment.objects.get(pk=segment.pk).target_text == "Après"


def test_the_project_list_shows_mine_with_due_dates_and_overdue(client, team, project, editor, manager):
    other = ProjectFactory(team=team, title="Cooking show")
    yesterday = timezone.localdate() - timedelta(days=1)
    Assignment.objects.create(project=project, user=editor, task="translate", due_date=yesterday)
    client.force_login(editor)
    page = client.get(reverse("projects:list")).content.decode()
    assert "Assigned to me" in page and "overdue" in page and "Cooking show" in page
    mine = client.get(reverse("projects:list"), {"mine": "on"}).content.decode()
    assert "Launch keynote" in mine and other.title not in mine


def test_my_work_lists_what_i_was_handed_with_progress(client, team, project, editor, reviewer, speaker):
    for n, status in enumerate(
        [ReviewStatus.APPROVED, ReviewStatus.APPROVED, ReviewStatus.NEEDS_REVIEW, ReviewStatus.DRAFT]
    ):
        SegmentFactory(
            project=project, speaker=speaker, start_ms=n * 3000, end_ms=n * 3000 + 2000, review_status=status
        )
    script_summary.recount(project)
    Assignment.objects.create(project=project, user=editor, task="translate")
    client.force_login(editor)
    page = client.get(reverse("projects:my-work")).content.decode()
    assert "Launch keynote" in page and "2 of 4 approved · 1 need review" in page and 'value="50"' in page
    client.force_login(reviewer)
    waiting = client.get(reverse("projects:my-work")).content.decode()
    assert "1 segment needs review" in waiting


@pytest.mark.parametrize("count", [1, 100])
def test_my_work_costs_the_same_at_any_number_of_projects(
    client, team, editor, speaker, count, django_assert_max_num_queries
):
    for n in range(count):
        project = ProjectFactory(team=team, title=f"Episode {n}")
        make_segments(project, 3)
        Assignment.objects.create(
            project=project, user=editor, task="translate", due_date=timezone.localdate()
        )
    client.force_login(editor)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("projects:my-work")).content.decode()
    assert page.count("Open the editor") == count


def test_the_team_page_switches_editing_to_assignees_only(client, team, manager, editor):
    url = reverse("projects:team-settings", args=[team.slug])
    client.force_login(editor)
    assert client.post(url, {}).status_code == 403
    team.refresh_from_db()
    assert team.unassigned_can_edit is True
    client.force_login(manager)
    page = client.post(url, {}, follow=True).content.decode()
    assert "Editors now edit only the projects they are assigned to translate." in page
    team.refresh_from_db()
    assert team.unassigned_can_edit is False
    client.post(url, {"unassigned_can_edit": "on"})
    team.refresh_from_db()
    assert team.unassigned_can_edit is True
