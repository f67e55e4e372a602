"""The list and the project page read the database a fixed number of times, whatever the data size."""

import pytest
from django.urls import reverse

from .factories import ProjectFactory, SpeakerFactory, make_segments


@pytest.mark.parametrize("count", [10, 500])
def test_project_list_queries_do_not_grow_with_projects(
    client, editor, team, count, django_assert_max_num_queries
):
    projects = ProjectFactory.create_batch(count, team=team)
    for project in projects[:25]:
        SpeakerFactory(project=project, speaker_id=1)
        make_segments(project, 3)
    client.force_login(editor)
    # session + user + count + page + speakers prefetch + the "can create" and "has teams" memberships
    with django_assert_max_num_queries(7):
        response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    assert f"{count} projects" in response.content.decode()


@pytest.mark.parametrize("count", [10, 2000])
def test_project_page_queries_do_not_grow_with_segments(
    client, editor, project, count, django_assert_max_num_queries
):
    speakers = [SpeakerFactory(project=project, speaker_id=n) for n in (1, 2, 3)]
    make_segments(project, count, speaker=speakers[0])
    client.force_login(editor)
    # session + user + project with role + team + speakers + first rows + the script's stored counts
    # + events + edits + backups + imports + who is assigned
    with django_assert_max_num_queries(12):
        response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{count:,} segments" in body and "Ligne cible 0" in body
    # The page shows the first rows and the figures, not the whole script: the editor has the rest.
    assert (f"Ligne cible {count - 1}<" in body) is (count <= 20)
    assert "Open the editor" in body


def test_a_running_jobs_card_reads_little_whatever_the_script(
    client, manager, project, django_assert_max_num_queries
):
    from projects.models import Submission
    from projects.services import submissions

    make_segments(project, 2000)  # the card never looks at the script (the panel's checks do)
    # sent anyway (none of them is approved): the card names who did, from the same query
    job = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False, override_by=manager)
    client.force_login(manager)
    # session + user + project with role + due jobs to nudge + the job with its author
    with django_assert_max_num_queries(5):
        response = client.get(reverse("projects:submission-card", args=[project.pk, job.pk]))
    assert "New ModelsLab dub" in response.content.decode()
    assert "Sent anyway by <strong>manny</strong>" in response.content.decode()
