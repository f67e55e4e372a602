"""The editor's review endpoints per role, the review progress and filters, as a browser would call them."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import ReviewStatus, Segment, Submission
from projects.services import editing, payloads, review, script_summary

from .factories import SegmentFactory, SpeakerFactory, UserFactory, make_segments

HX = {"HX-Request": "true"}
S = ReviewStatus


@pytest.fixture
def segments(project, speaker):
    return [
        SegmentFactory(project=project, start_ms=0, end_ms=2000, target_text="Bonjour.", speaker=speaker),
        SegmentFactory(project=project, start_ms=3000, end_ms=5000, target_text="Ça va ?", speaker=speaker),
    ]


def post_review(client, project, action, segments, **extra):
    return client.post(
        reverse("projects:segments-review", args=[project.pk]),
        {"action": action, "segments": [s.pk for s in segments], **extra},
        headers=HX,
    )


def rows_as_stored(project):
    return list(
        Segment.objects.filter(project=project).values_list("id", "review_status", "version", "review_reason")
    )


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        ("reviewer", "approve", 200),
        ("manager", "approve", 200),
        ("owner", "request_changes", 200),
        ("editor", "approve", 403),
        ("editor", "request_changes", 403),
        ("viewer", "approve", 403),
        ("viewer", "request_review", 403),
        ("reviewer", "request_review", 403),
        ("editor", "request_review", 200),
    ],
)
def test_who_may_make_which_review_move(client, request, project, segments, role, action, expected):
    user = request.getfixturevalue(role)
    before = rows_as_stored(project)
    client.force_login(user)
    response = post_review(client, project, action, segments, reason="Check the tone.")
    assert response.status_code == expected
    if expected == 403:
        assert rows_as_stored(project) == before  # refused: no row changed
        assert script_summary.figures(project)["review"][S.DRAFT] == 2
    else:
        assert rows_as_stored(project) != before


def test_another_teams_project_does_not_exist_for_a_reviewer_move(client, outsider, project, segments):
    client.force_login(outsider)
    assert post_review(client, project, "approve", segments).status_code == 404
    assert client.post(reverse("projects:review-approve-clean", args=[project.pk])).status_code == 404
    assert client.get(reverse("projects:review-progress", args=[project.pk])).status_code == 404


def test_an_editor_cannot_approve_through_the_segment_save(client, editor, project, segments):
    client.force_login(editor)
    segment = segments[0]
    response = client.post(
        reverse("projects:segment-save", args=[project.pk, segment.pk]),
        {"version": segment.version, "field": "review_status", "review_status": "approved"},
        headers={**HX, "HX-Target": f"seg-{segment.pk}"},
    )
    assert response.status_code == 422
    assert Segment.objects.get(pk=segment.pk).review_status == S.DRAFT


def test_approve_answers_the_rows_with_their_new_status_and_offers_undo(client, reviewer, project, segments):
    client.force_login(reviewer)
    response = post_review(client, project, "approve", segments)
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert body.count('data-review="approved"') == 2 and "Approved 2 segments" in body
    assert 'data-command="undo"' in body
    assert "script-changed" in response["HX-Trigger"]
    # …and the reviewer may take it back.
    assert client.post(reverse("projects:undo", args=[project.pk]), headers=HX).status_code == 200
    assert {s.review_status for s in Segment.objects.filter(project=project)} == {S.DRAFT}


def test_request_changes_needs_a_reason_and_shows_it_on_the_row(client, reviewer, project, segments):
    client.force_login(reviewer)
    refused = post_review(client, project, "request_changes", segments[:1], reason="  ")
    assert refused.status_code == 422 and "reason" in refused.content.decode()
    assert Segment.objects.get(pk=segments[0].pk).review_status == S.DRAFT

    response = post_review(client, project, "request_changes", segments[:1], reason="<b>Trop</b> formel")
    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;Trop&lt;/b&gt; formel" in body and "<b>Trop" not in body  # text, never markup
    assert "by rita" in body
    page = client.get(reverse("projects:editor", args=[project.pk])).content.decode()
    assert "&lt;b&gt;Trop&lt;/b&gt; formel" in page


def test_a_stale_view_does_not_approve_what_changed(client, reviewer, editor, project, segments):
    first = segments[0]
    seen = f"{first.pk}.{first.version}"
    editing.save_segment(project, first.pk, {"target_text": "Salut."}, version=first.version, by=editor)
    client.force_login(reviewer)
    response = post_review(client, project, "approve", [first], seen=seen)
    assert response.status_code == 200
    assert "Nothing changed" in html.unescape(response.content.decode())
    assert Segment.objects.get(pk=first.pk).review_status == S.DRAFT


@pytest.mark.parametrize(
    "data",
    [
        {"action": "approve", "segments": ["1; DROP"]},
        {"action": "bless", "segments": ["1"]},
        {"action": "approve"},
    ],
)
def test_bad_requests_change_nothing_and_say_why(client, reviewer, project, segments, data):
    before = rows_as_stored(project)
    client.force_login(reviewer)
    response = client.post(reverse("projects:segments-review", args=[project.pk]), data, headers=HX)
    assert response.status_code == 422
    assert rows_as_stored(project) == before


def test_the_editor_shows_reviewers_review_actions_and_no_editor_form(
    client, reviewer, viewer, editor, project, segments
):
    url = reverse("projects:editor", args=[project.pk])
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert 'id="seg-editor"' not in page and "<textarea" in page  # the reason field, no editor
    assert 'data-review-action="approve"' in page and 'data-review-action="request_review"' not in page
    assert "Alt</kbd>+<kbd>A</kbd>" in page and 'class="seg-pick"' in page
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert 'data-review-action="request_review"' in page and 'data-review-action="approve"' not in page
    client.force_login(viewer)
    page = client.get(url).content.decode()
    assert 'id="review-panel"' not in page and 'class="seg-pick"' not in page


def test_progress_shows_counts_and_shares_per_status(client, reviewer, editor, project, segments):
    review.move(project, "approve", segment_pks=[segments[0].pk], by=reviewer)
    client.force_login(editor)
    body = client.get(reverse("projects:review-progress", args=[project.pk])).content.decode()
    assert "Approved <strong>1</strong>" in body and "(50 %)" in body
    assert 'aria-label="1 of 2 segments approved"' in body
    assert "Needs my review" not in body  # an editor reviews nothing
    client.force_login(reviewer)
    assert (
        "Needs my review"
        in client.get(reverse("projects:review-progress", args=[project.pk])).content.decode()
    )


def pushed(project, by):
    """A re-translation that went through: its request is the script as it is now."""
    return Submission.objects.create(
        project=project, provider="dubformer", kind=Submission.Kind.RETRANSLATE, status=Submission.Status.SUCCEEDED,
        request=payloads.retranslation_request(project).to_json(), created_by=by, finished_at=timezone.now(),
    )  # fmt: skip


def test_changed_since_the_last_push_lists_text_timing_and_speaker_changes_not_review_decisions(
    client, manager, reviewer, project, segments
):
    project.speakers.update(voice_key="soundalike")
    third = SegmentFactory(project=project, start_ms=6000, end_ms=8000, target_text="Au revoir.",
                           speaker=segments[0].speaker)  # fmt: skip
    pushed(project, manager)
    other = SpeakerFactory(project=project, speaker_id=2, name="Ben", voice_key="soundalike")
    first, second = segments
    editing.save_segment(project, first.pk, {"target_text": "Salut."}, version=first.version, by=manager)
    editing.set_speaker(project, [third.pk], other, by=manager)
    review.move(project, "approve", segment_pks=[second.pk], by=reviewer)  # not something the provider has

    client.force_login(reviewer)
    body = client.get(reverse("projects:segment-rows", args=[project.pk]), {"changed": "push"}, headers=HX)
    body = html.unescape(body.content.decode())
    assert "2 segments match" in body
    assert "Salut." in body and "Au revoir." in body and "Ça va ?" not in body


def test_changed_since_the_last_push_is_everything_before_the_first_push(client, reviewer, project, segments):
    client.force_login(reviewer)
    body = client.get(reverse("projects:editor", args=[project.pk]), {"changed": "push"}).content.decode()
    assert "2 segments match" in body


@pytest.mark.parametrize("count", [10, 3000])
def test_review_moves_cost_the_same_queries_at_10_and_3000_segments(
    client, reviewer, editor, project, speaker, count, django_assert_max_num_queries
):
    make_segments(project, count, speaker=speaker)
    script_summary.recount(project)
    ids = list(Segment.objects.filter(project=project).values_list("id", flat=True))
    client.force_login(editor)
    # session + user + project with role + savepoint + locked rows + update + edit + summary + release
    # + the rows answered (one query); a move of more than 300 rows answers a reload instead
    # + the trail's segment links (one INSERT) + the reviewers to tell and their notifications
    # + the panels the move changes, in its answer: stored counts, open comments, last push
    with django_assert_max_num_queries(16):
        response = client.post(
            reverse("projects:segments-review", args=[project.pk]),
            {"action": "request_review", "segments": ",".join(map(str, ids))},
            headers=HX,
        )
    assert response.status_code == 200
    client.force_login(reviewer)
    with django_assert_max_num_queries(14):
        response = client.post(
            reverse("projects:segments-review", args=[project.pk]),
            {"action": "approve", "segments": ids[:1], "seen": f"{ids[0]}.2"},
            headers=HX,
        )
    assert "Approved the segment" in html.unescape(response.content.decode())
    with django_assert_max_num_queries(14):
        response = client.post(reverse("projects:review-approve-clean", args=[project.pk]), headers=HX)
    assert f"Approved {count - 1} segments" in html.unescape(response.content.decode())
    with django_assert_max_num_queries(5):
        client.get(reverse("projects:review-progress", args=[project.pk]))
    figures = script_summary.figures(project)["review"]
    assert figures[S.APPROVED] == count and figures[S.NEEDS_REVIEW] == 0


def test_ids_of_another_projects_segments_change_nothing_there(client, reviewer, project, segments, team):
    from .factories import ProjectFactory

    elsewhere = SegmentFactory(project=ProjectFactory(team=team))
    client.force_login(reviewer)
    response = post_review(client, project, "approve", [elsewhere])
    assert response.status_code == 200 and "Nothing changed" in response.content.decode()
    assert Segment.objects.get(pk=elsewhere.pk).review_status == S.DRAFT


def _rows_shown(client, project, query):
    page = client.get(reverse("projects:editor", args=[project.pk]) + query).content.decode()
    return [pk for pk in Segment.objects.filter(project=project).values_list("pk", flat=True)
            if f'id="seg-{pk}"' in page], page  # fmt: skip


@pytest.fixture
def waiting(project, speaker):
    """Three lines: two need review, one is a draft."""
    statuses = [S.NEEDS_REVIEW, S.DRAFT, S.NEEDS_REVIEW]
    return [
        SegmentFactory(
            project=project, start_ms=n * 3000, end_ms=n * 3000 + 2000, review_status=status, speaker=speaker
        )  # fmt: skip
        for n, status in enumerate(statuses)
    ]


def test_needs_my_review_without_an_assignment_is_the_team_reviewers_and_not_the_managers(
    client, project, reviewer, manager, waiting
):
    """Nobody is assigned to review: "Request review" asks the team's reviewers, so it is their review."""
    client.force_login(reviewer)
    shown, _ = _rows_shown(client, project, "?status=my_review")
    assert shown == [waiting[0].pk, waiting[2].pk]

    client.force_login(manager)
    shown, page = _rows_shown(client, project, "?status=my_review")
    assert shown == []
    assert "Nothing needs your review here: this project's review is asked of rita" in page
    assert 'value="my_review" selected' in page  # the filter shows what is applied


def test_needs_my_review_with_an_assignment_is_the_assigned_reviewers_only(
    client, team, project, reviewer, manager, waiting
):
    from projects.models import Assignment, Role

    from .factories import MembershipFactory, UserFactory

    other = MembershipFactory(team=team, role=Role.REVIEWER, user=UserFactory(username="rob")).user
    Assignment.objects.create(project=project, user=manager, task="review")
    client.force_login(manager)
    shown, _ = _rows_shown(client, project, "?status=my_review")
    assert shown == [waiting[0].pk, waiting[2].pk]
    for person in (reviewer, other):  # reviewers in the team, but the review is manny's
        client.force_login(person)
        shown, page = _rows_shown(client, project, "?status=my_review")
        assert shown == [] and "asked of manny" in page
        shown, _ = _rows_shown(client, project, "?status=needs_review")  # still one click away
        assert shown == [waiting[0].pk, waiting[2].pk]


def test_request_review_asks_exactly_those_whose_review_it_is_and_links_to_their_filter(
    client, team, project, editor, reviewer, manager, waiting
):
    from projects.models import Notification, Role

    from .factories import MembershipFactory, UserFactory

    MembershipFactory(team=team, role=Role.REVIEWER, user=UserFactory(username="rob"))
    review.move(project, "request_review", by=editor, segment_pks=[waiting[1].pk])
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["rita", "rob"]
    assert Notification.objects.first().url.endswith("?status=my_review")
    # (with an assignment, only the assigned: tests/test_notifications.py)


def test_my_work_lists_a_project_waiting_for_review_for_the_same_people(
    client, team, project, reviewer, manager, waiting
):
    from projects.models import Assignment

    script_summary.recount(project)
    my_work = reverse("projects:my-work")
    client.force_login(reviewer)
    assert "Launch keynote" in client.get(my_work).content.decode()
    client.force_login(manager)
    assert "Launch keynote" not in client.get(my_work).content.decode()
    Assignment.objects.create(project=project, user=manager, task="review")
    assert "Launch keynote" in client.get(my_work).content.decode()  # assigned: manny's now…
    client.force_login(reviewer)
    assert "Launch keynote" not in client.get(my_work).content.decode()  # …and no longer rita's


def test_my_work_lists_the_scripts_waiting_in_my_teams_and_those_i_review_most_waiting_first(
    client, team, reviewer
):
    from projects.models import Assignment

    from .factories import ProjectFactory

    def waiting_script(title, needing, in_team):
        project = ProjectFactory(team=in_team, title=title)
        make_segments(project, needing + 1)
        Segment.objects.filter(project=project).exclude(start_ms=0).update(review_status=S.NEEDS_REVIEW)
        script_summary.recount(project)
        return project

    other_team = ProjectFactory(title="Elsewhere").team
    waiting_script("Pilot", 1, team)
    waiting_script("Finale", 5, team)
    waiting_script("Their series", 9, other_team)  # another team's: never mine
    handed = waiting_script("Their trailer", 3, other_team)
    Assignment.objects.create(project=handed, user=reviewer, task="review")  # …unless I am to review it
    taken = waiting_script("Taken pilot", 7, team)
    Assignment.objects.create(
        project=taken, user=UserFactory(username="rob"), task="review"
    )  # someone else's
    client.force_login(reviewer)
    page = html.unescape(client.get(reverse("projects:my-work")).content.decode())
    listed = page[page.index("Waiting for review") : page.index("Mentions")]
    titles = [title for title in ("Finale", "Their trailer", "Pilot") if title in listed]
    assert titles == ["Finale", "Their trailer", "Pilot"]
    assert listed.index("Finale") < listed.index("Their trailer") < listed.index("Pilot")
    assert "Their series" not in listed and "Taken pilot" not in listed
    assert "5 segments need review" in listed and "1 segment needs review" in listed
