"""Project list, project page and project form, as the people of a team see them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, ScriptEdit

from .factories import ProjectFactory, SpeakerFactory, make_segments


def test_anonymous_users_are_sent_to_login(client, project):
    for url in (
        reverse("projects:list"),
        project.get_absolute_url(),
        reverse("projects:import", args=[project.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_lands_on_my_work_and_the_project_list_is_one_click_away(client, editor, project):
    response = client.post(reverse("login"), {"username": "eddie", "password": "pass-for-tests"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:my-work")
    assert f'href="{reverse("projects:list")}"' in response.content.decode()
    assert "Launch keynote" in client.get(reverse("projects:list")).content.decode()


def test_list_shows_only_the_users_teams(client, editor, project, other_team):
    ProjectFactory(team=other_team, title="Secret rival project")
    client.force_login(editor)
    page = client.get(reverse("projects:list")).content.decode()
    assert "Launch keynote" in page
    assert "Secret rival project" not in page


def test_another_teams_project_is_not_found_and_not_shown(client, outsider, project):
    client.force_login(outsider)
    for url in (
        project.get_absolute_url(),
        reverse("projects:edit", args=[project.pk]),
        reverse("projects:import", args=[project.pk]),
        reverse("projects:export", args=[project.pk]) + "?file_format=srt&text_column=target",
        reverse("projects:backups", args=[project.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Launch keynote" not in response.content.decode()


def test_list_row_shows_languages_status_counts_and_speakers(client, editor, project):
    SpeakerFactory(project=project, speaker_id=1, name="Anna")
    SpeakerFactory(project=project, speaker_id=2, name="Ben")
    make_segments(project, 12)
    client.force_login(editor)
    page = client.get(reverse("projects:list")).content.decode()
    assert "English (US)" in page and "French (France)" in page
    assert "Draft" in page
    assert '<td data-label="Segments" class="num">12</td>' in page
    assert "Anna, Ben" in page


def test_search_and_filters_narrow_the_list(client, editor, team):
    ProjectFactory(team=team, title="Cooking show", target_language="de-DE", status=Project.Status.APPROVED)
    ProjectFactory(team=team, title="Cooking school", target_language="fr-FR")
    ProjectFactory(team=team, title="Nature film", target_language="de-DE")
    client.force_login(editor)

    def titles(**params):
        page = client.get(reverse("projects:list"), params).content.decode()
        return {t for t in ("Cooking show", "Cooking school", "Nature film") if t in page}

    assert titles(q="cooking") == {"Cooking show", "Cooking school"}
    assert titles(language="de-DE") == {"Cooking show", "Nature film"}
    assert titles(status="approved") == {"Cooking show"}
    assert titles(q="cooking", language="de-DE") == {"Cooking show"}


def test_htmx_filter_answers_only_the_results_fragment(client, editor, project):
    client.force_login(editor)
    response = client.get(reverse("projects:list"), {"q": "launch"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="project-results"')
    assert "<html" not in body
    assert "Launch keynote" in body


def test_bad_filter_values_do_not_break_the_list(client, editor, project):
    client.force_login(editor)
    response = client.get(reverse("projects:list"), {"status": "nonsense", "page": "999", "language": "<x>"})
    assert response.status_code == 200


def test_list_is_paginated(client, editor, team):
    ProjectFactory.create_batch(30, team=team)
    client.force_login(editor)
    first = client.get(reverse("projects:list")).content.decode()
    assert "Page 1 of 2" in first
    assert client.get(reverse("projects:list"), {"page": 2}).status_code == 200


def test_project_page_shows_speakers_and_script(client, viewer, project):
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna", voice_key="voice:Rachel")
    make_segments(project, 3, speaker=anna)
    client.force_login(viewer)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "voice:Rachel" in page
    assert "00:00:02.000" in page and "Ligne cible 2" in page and "Source line 0" in page
    # A viewer sees no edit or import buttons.
    assert "Edit project" not in page and "Import script" not in page


def test_segment_text_is_escaped_on_the_page(client, viewer, project):
    make_segments(project, 1)
    project.segments.update(target_text='<script>alert("x")</script><img src=x onerror=alert(1)>')
    client.force_login(viewer)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_manager_creates_a_project(client, manager, team):
    client.force_login(manager)
    response = client.post(
        reverse("projects:create"),
        {
            "title": "Season finale",
            "source_video_url": "https://cdn.example.com/finale.mp4",
            "video_duration_ms": "00:42:10.500",
            "source_language": "en-US",
            "target_language": "es-ES",
            "status": "draft",
        },
    )
    project = Project.objects.get(title="Season finale")
    assert response.url == project.get_absolute_url()
    assert project.team == team and project.created_by == manager and project.video_duration_ms == 2_530_500
    created = ScriptEdit.objects.get(project=project, kind="project")
    assert (created.user, created.label, created.before) == (manager, "Created the project", [])
    assert created.after[0]["title"] == "Season finale"


def test_project_form_explains_what_is_wrong(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("projects:create"),
        {"title": "", "source_video_url": "ftp://x", "video_duration_ms": "soon", "source_language": "en-US",
         "target_language": "en-US", "status": "draft"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "Give a full http(s):// address" in page
    assert "is not a time" in page
    assert "must differ from the source language" in page
    assert not Project.objects.exists()


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_only_owners_and_managers_create_or_edit_projects(client, request, project, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("projects:create")).status_code == 403
    assert client.post(reverse("projects:edit", args=[project.pk]), {"title": "Hijacked"}).status_code == 403
    project.refresh_from_db()
    assert project.title == "Launch keynote"


def test_editing_a_project_records_what_changed(client, owner, project):
    client.force_login(owner)
    client.post(
        reverse("projects:edit", args=[project.pk]),
        {"title": "Launch keynote v2", "source_video_url": project.source_video_url, "source_language": "en-US",
         "target_language": "fr-FR", "status": "in_review"},
    )  # fmt: skip
    project.refresh_from_db()
    assert project.title == "Launch keynote v2" and project.status == "in_review"
    change = ScriptEdit.objects.get(project=project, kind="project")
    assert (change.user, change.label) == (owner, "Changed title, status")
    assert change.before == [{"id": project.pk, "title": "Launch keynote", "status": "draft"}]
    assert change.after == [{"id": project.pk, "title": "Launch keynote v2", "status": "in_review"}]


def test_a_user_without_a_team_sees_an_explanation(client, db):
    from .factories import UserFactory

    client.force_login(UserFactory(username="loner"))
    assert "not in a team yet" in client.get(reverse("projects:list")).content.decode()


def test_no_page_shows_template_syntax(client, manager, project, team):
    # A Django {# comment #} that runs over two lines is printed as text at the top of every page.
    pages = [reverse("login"), reverse("projects:list"), project.get_absolute_url(),
             reverse("projects:editor", args=[project.pk]), reverse("projects:jobs"),
             reverse("projects:provider-keys", args=[team.slug])]  # fmt: skip
    client.force_login(manager)
    for url in pages:
        page = client.get(url).content.decode()
        assert "{#" not in page and "#}" not in page and "{%" not in page and "{{" not in page, url


def test_an_edit_in_the_editor_brings_its_project_to_the_top_of_the_list(client, editor, team):
    older = ProjectFactory(team=team, title="Older film")
    ProjectFactory(team=team, title="Newer film")
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Project.objects.filter(pk=older.pk).update(last_change_at=long_ago, updated_at=long_ago)
    segment = make_segments(older, 1)[0]
    client.force_login(editor)
    with CaptureQueriesContext(connection) as listed:
        page = client.get(reverse("projects:list")).content.decode()
    assert page.index("Newer film") < page.index("Older film")
    # Sorted by the stored time: the trail of edits (which grows all day) is not read to sort the list.
    assert not any("projects_scriptedit" in query["sql"] for query in listed.captured_queries)

    save = reverse("projects:segment-save", args=[older.pk, segment.pk])
    answer = client.post(
        save, {"field": "target_text", "target_text": "Nouveau texte", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    page = client.get(reverse("projects:list")).content.decode()
    assert page.index("Older film") < page.index("Newer film")
    first_change = Project.objects.get(pk=older.pk).last_change_at
    assert first_change > long_ago

    # Another save in the same minute: the project's row is not written again (fifty editors saving
    # every second would queue on it).
    answer = client.post(
        save, {"field": "target_text", "target_text": "Encore", "version": 2}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    assert Project.objects.get(pk=older.pk).last_change_at == first_change
