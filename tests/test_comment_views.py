"""The comment endpoints as the pages call them: answers, refusals (nothing stored), other teams, queries."""

import pytest
from django.urls import reverse

from projects.models import Comment, Submission
from projects.services import comments

from .factories import ProjectFactory, SegmentFactory, make_segments


@pytest.fixture
def segment(project):
    return SegmentFactory(project=project, start_ms=12_000, end_ms=14_000, target_text="Bonjour.")


@pytest.fixture
def finished_dub(project, manager):
    return Submission.objects.create(
        project=project, provider=Submission.Provider.MODELSLAB, kind=Submission.Kind.NEW_DUB,
        status=Submission.Status.SUCCEEDED, output_video_url="https://cdn.example.com/dub.mp4", created_by=manager,
    )  # fmt: skip


def segment_comments_url(segment):
    return reverse("projects:segment-comments", args=[segment.project_id, segment.pk])


def test_a_comment_on_a_segment_answers_the_thread_list_and_its_open_count(client, reviewer, editor, segment):
    client.force_login(reviewer)
    response = client.post(
        segment_comments_url(segment), {"body": "@eddie too long <script>x</script>"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<span class="mention">@eddie</span> too long &lt;script&gt;x&lt;/script&gt;' in body
    assert f'data-open-count="1" data-segment="{segment.pk}"' in body  # comments.js puts it on the row
    assert response["HX-Trigger"] == '{"comments-changed": true}'
    assert Comment.objects.get().mentioned.get() == editor


def test_the_editor_rows_show_the_open_count(client, reviewer, segment):
    comments.comment_on_segment(_seen(segment.project, reviewer), segment, "One.", by=reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("projects:editor", args=[segment.project_id])).content.decode()
    assert f'id="seg-{segment.pk}-comments"' in page
    assert 'aria-label="1 open comment"' in page


def _seen(project, user):
    from projects import access

    return access.get_project_for(user, project.pk)


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_bad_text_is_refused_with_a_message_and_kept_for_correction(client, reviewer, segment, body):
    client.force_login(reviewer)
    response = client.post(segment_comments_url(segment), {"body": body})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'role="alert"' in page and ("empty" in page or "at most" in page)
    assert not Comment.objects.exists()


def test_a_time_that_is_not_a_time_is_refused_and_the_text_kept(client, reviewer, finished_dub):
    client.force_login(reviewer)
    url = reverse("projects:job-comments", args=[finished_dub.project_id, finished_dub.pk])
    response = client.post(url, {"at": "twelve", "body": "Wrong voice here."})
    assert response.status_code == 422
    page = response.content.decode()
    assert "is not a time" in page and "Wrong voice here.</textarea>" in page and 'value="twelve"' in page
    assert not Comment.objects.exists()


def test_a_comment_pinned_at_a_time_is_listed_with_a_button_that_seeks_there(client, reviewer, finished_dub):
    client.force_login(reviewer)
    url = reverse("projects:job-comments", args=[finished_dub.project_id, finished_dub.pk])
    response = client.post(url, {"at": "0:12", "body": "Wrong voice here."})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-seek-ms="12000"' in page and "▶ 0:12" in page and 'class="pin-marker"' in page
    assert Comment.objects.get().at_ms == 12_000


def test_viewers_read_but_cannot_comment(client, viewer, reviewer, segment):
    comments.comment_on_segment(_seen(segment.project, reviewer), segment, "Visible.", by=reviewer)
    client.force_login(viewer)
    listing = client.get(segment_comments_url(segment))
    assert listing.status_code == 200 and "Visible." in listing.content.decode()
    assert "<textarea" not in listing.content.decode() and ">Resolve<" not in listing.content.decode()
    assert client.post(segment_comments_url(segment), {"body": "Me too"}).status_code == 403
    assert Comment.objects.count() == 1


def test_an_editor_cannot_resolve_someone_elses_thread(client, editor, reviewer, segment):
    thread = comments.comment_on_segment(_seen(segment.project, reviewer), segment, "Fix.", by=reviewer)
    client.force_login(editor)
    listing = client.get(segment_comments_url(segment)).content.decode()
    assert ">Resolve<" not in listing  # the page offers only what the user may do
    url = reverse("projects:comment-resolve", args=[segment.project_id, thread.pk])
    assert client.post(url, {"resolved": "1"}).status_code == 403
    thread.refresh_from_db()
    assert thread.resolved_at is None


def test_a_resolve_without_a_clear_answer_changes_nothing(client, reviewer, segment):
    thread = comments.comment_on_segment(_seen(segment.project, reviewer), segment, "Fix.", by=reviewer)
    client.force_login(reviewer)
    url = reverse("projects:comment-resolve", args=[segment.project_id, thread.pk])
    assert client.post(url, {"resolved": "yes"}).status_code == 422
    thread.refresh_from_db()
    assert thread.resolved_at is None
    assert client.post(url, {"resolved": "1"}).status_code == 200
    thread.refresh_from_db()
    assert thread.resolved_at is not None


def test_someone_elses_comment_cannot_be_edited_or_deleted(client, editor, reviewer, segment):
    comment = comments.comment_on_segment(_seen(segment.project, reviewer), segment, "Mine.", by=reviewer)
    client.force_login(editor)
    edit = reverse("projects:comment-edit", args=[segment.project_id, comment.pk])
    delete = reverse("projects:comment-delete", args=[segment.project_id, comment.pk])
    assert client.post(edit, {"body": "Yours now."}).status_code == 403
    assert client.post(delete).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine."


def test_another_teams_member_finds_nothing(client, outsider, reviewer, segment, finished_dub):
    thread = comments.comment_on_segment(_seen(segment.project, reviewer), segment, "Private.", by=reviewer)
    client.force_login(outsider)
    pk = segment.project_id
    urls = [
        ("get", reverse("projects:project-comments", args=[pk])),
        ("get", segment_comments_url(segment)),
        ("get", reverse("projects:job-comments", args=[pk, finished_dub.pk])),
        ("get", reverse("projects:mention-options", args=[pk]) + "?q=e"),
        ("post", reverse("projects:comment-reply", args=[pk, thread.pk])),
        ("post", reverse("projects:comment-resolve", args=[pk, thread.pk])),
        ("post", reverse("projects:comment-edit", args=[pk, thread.pk])),
        ("post", reverse("projects:comment-delete", args=[pk, thread.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url, {"body": "x", "resolved": "1"}).status_code == 404, url
    assert Comment.objects.count() == 1 and not Comment.objects.filter(resolved_at__isnull=False).exists()


def test_a_comment_of_another_project_is_not_reachable_through_this_one(client, reviewer, team, segment):
    other = ProjectFactory(team=team)
    thread = comments.comment_on_project(_seen(other, reviewer), "Elsewhere.", by=reviewer)
    client.force_login(reviewer)
    url = reverse("projects:comment-reply", args=[segment.project_id, thread.pk])
    assert client.post(url, {"body": "x"}).status_code == 404
    huge = reverse("projects:comment-reply", args=[segment.project_id, 2**70])
    assert client.post(huge, {"body": "x"}).status_code == 404


def test_mention_suggestions_list_team_members_as_options(
    client, reviewer, editor, manager, outsider, project
):
    client.force_login(reviewer)
    url = reverse("projects:mention-options", args=[project.pk])
    page = client.get(url, {"q": "e", "listbox": 'box"><script>'}).content.decode()
    assert 'role="option"' in page and 'data-username="eddie"' in page and "manny" not in page
    assert "<script>" not in page  # the listbox id is cleaned
    assert "oscar" not in client.get(url, {"q": "o"}).content.decode()


def test_a_reply_and_the_project_thread(client, reviewer, editor, project):
    client.force_login(reviewer)
    url = reverse("projects:project-comments", args=[project.pk])
    client.post(url, {"body": "Is the glossary final?"})
    thread = Comment.objects.get()
    client.force_login(editor)
    reply = client.post(
        reverse("projects:comment-reply", args=[project.pk, thread.pk]),
        {"body": "Yes.\nSee https://example.com/g"},
    )
    assert reply.status_code == 200
    page = reply.content.decode()
    assert (
        "Is the glossary final?" in page
        and 'Yes.<br>See <a href="https://example.com/g" rel="noopener nofollow ugc"' in page
    )
    project_page = client.get(project.get_absolute_url()).content.decode()
    assert reverse("projects:project-comments", args=[project.pk]) in project_page


@pytest.mark.parametrize("count", [10, 3000])
def test_the_editor_with_comment_counts_reads_a_fixed_number_of_times(
    client, reviewer, project, count, django_assert_max_num_queries
):
    segments = make_segments(project, count)
    seen = _seen(project, reviewer)
    for segment in segments[:5] + segments[-5:]:
        comments.comment_on_segment(seen, segment, "Check.", by=reviewer)
    client.force_login(reviewer)
    # session + user + project with role + first rows (with their stored counts) + the script's figures
    with django_assert_max_num_queries(5):
        response = client.get(reverse("projects:editor", args=[project.pk]))
    # The first screen's rows with a comment (all ten of a short script; the first five of a long one).
    assert response.content.decode().count('aria-label="1 open comment"') == (10 if count == 10 else 5)
    with django_assert_max_num_queries(5):  # session + user + project + figures + open comments
        summary = client.get(reverse("projects:quality-summary", args=[project.pk])).content.decode()
    assert "Open comments <strong>10</strong>" in summary


@pytest.mark.parametrize("count", [1, 50])
def test_a_thread_list_reads_a_fixed_number_of_times(
    client, reviewer, editor, segment, count, django_assert_max_num_queries
):
    seen = _seen(segment.project, reviewer)
    for index in range(count):
        thread = comments.comment_on_segment(seen, segment, f"@eddie note {index}", by=reviewer)
        comments.reply(_seen(segment.project, editor), thread, "@rita ok", by=editor)
    client.force_login(reviewer)
    # session + user + project + segment + threads + mentions + replies + their mentions
    with django_assert_max_num_queries(8):
        response = client.get(segment_comments_url(segment))
    assert response.content.decode().count('class="mention"') == 2 * count


@pytest.mark.parametrize("query", ["\x00", "e\x00", "%", "_", "x" * 10_000])
def test_odd_suggestion_queries_answer_calmly(client, reviewer, editor, project, query):
    client.force_login(reviewer)
    response = client.get(reverse("projects:mention-options", args=[project.pk]), {"q": query})
    assert response.status_code == 200
    assert ("eddie" in response.content.decode()) is (query in ("\x00", "e\x00"))


@pytest.mark.parametrize("at", ["", "-1", "99:99", "25:00:00", "1e3", "\x00"])
def test_times_that_are_not_on_a_video_are_refused(client, reviewer, finished_dub, at):
    client.force_login(reviewer)
    url = reverse("projects:job-comments", args=[finished_dub.project_id, finished_dub.pk])
    response = client.post(url, {"at": at, "body": "Here."})
    assert response.status_code == 422 and 'role="alert"' in response.content.decode()
    assert not Comment.objects.exists()


def test_the_editor_filters_segments_with_open_comments(client, project, editor, reviewer, speaker):
    from django.urls import reverse

    from projects import access
    from projects.services import comments

    from .factories import SegmentFactory

    quiet, discussed = (
        SegmentFactory(project=project, speaker=speaker, start_ms=n * 3000, end_ms=n * 3000 + 2000)
        for n in (0, 1)
    )
    thread = comments.comment_on_segment(
        access.get_project_for(reviewer, project.pk), discussed, "Too long?", by=reviewer
    )
    client.force_login(editor)
    rows = client.get(
        reverse("projects:segment-rows", args=[project.pk]),
        {"comments": "open"},
        headers={"HX-Request": "true"},
    )
    html = rows.content.decode()
    assert f'id="seg-{discussed.pk}"' in html and f'id="seg-{quiet.pk}"' not in html
    comments.set_resolved(access.get_project_for(reviewer, project.pk), thread, True, by=reviewer)
    rows = client.get(
        reverse("projects:segment-rows", args=[project.pk]),
        {"comments": "open"},
        headers={"HX-Request": "true"},
    )
    assert f'id="seg-{discussed.pk}"' not in rows.content.decode()
