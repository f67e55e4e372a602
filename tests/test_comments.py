"""Comments and @mentions: threads, resolve/reopen, mentions, who may do what, and the stored counts."""

import pytest

from projects import access
from projects.models import Comment, Mention, Role, Submission
from projects.services import comments, editing
from projects.services.comments import CommentError, NotAllowed

from .factories import MembershipFactory, SegmentFactory, UserFactory


def as_seen_by(project, user):
    """The project as a view has it for `user` (with their role), as services expect."""
    return access.get_project_for(user, project.pk)


@pytest.fixture
def segment(project):
    return SegmentFactory(project=project, start_ms=12_000, end_ms=14_000, target_text="Bonjour.")


@pytest.fixture
def finished_dub(project, manager):
    return Submission.objects.create(
        project=project, provider=Submission.Provider.MODELSLAB, kind=Submission.Kind.NEW_DUB,
        status=Submission.Status.SUCCEEDED, output_video_url="https://cdn.example.com/dub.mp4", created_by=manager,
    )  # fmt: skip


def test_a_thread_is_a_comment_and_its_replies_in_order(project, segment, reviewer, editor):
    root = comments.comment_on_segment(as_seen_by(project, reviewer), segment, "Too long here.", by=reviewer)
    first = comments.reply(as_seen_by(project, editor), root, "Shortened it.", by=editor)
    # A reply to a reply joins the same thread (one level deep).
    second = comments.reply(as_seen_by(project, reviewer), first, "Thanks!", by=reviewer)
    [thread] = comments.threads(project, segment=segment)
    assert thread == root
    assert [reply.body for reply in thread.replies.all()] == ["Shortened it.", "Thanks!"]
    assert second.parent == root and second.segment_id == segment.pk


def test_the_row_count_counts_open_threads_and_follows_resolve_and_reopen(project, segment, reviewer, editor):
    root = comments.comment_on_segment(as_seen_by(project, reviewer), segment, "Wrong name.", by=reviewer)
    comments.reply(as_seen_by(project, editor), root, "Which one?", by=editor)
    comments.comment_on_segment(as_seen_by(project, editor), segment, "Check the timing too.", by=editor)
    segment.refresh_from_db()
    assert segment.open_comment_count == 2  # two threads; the reply is not a thread of its own
    assert comments.set_resolved(as_seen_by(project, reviewer), root, True, by=reviewer)
    segment.refresh_from_db()
    assert segment.open_comment_count == 1
    assert list(comments.with_open_comments(project)) == [segment]
    later = project.segments.filter(start_ms__gt=segment.start_ms)
    assert list(comments.with_open_comments(project, later)) == []
    assert comments.open_count(project) == 1
    # Resolving twice changes nothing; reopening counts it again.
    assert not comments.set_resolved(as_seen_by(project, reviewer), root, True, by=reviewer)
    assert comments.set_resolved(as_seen_by(project, reviewer), root, False, by=reviewer)
    segment.refresh_from_db()
    assert segment.open_comment_count == 2
    root.refresh_from_db()
    assert root.resolved_at is None and root.resolved_by is None


def test_resolved_by_and_when_are_kept(project, segment, reviewer):
    root = comments.comment_on_project(as_seen_by(project, reviewer), "Ready for dubbing?", by=reviewer)
    comments.set_resolved(as_seen_by(project, reviewer), root, True, by=reviewer)
    root.refresh_from_db()
    assert root.resolved_by == reviewer and root.resolved_at is not None


@pytest.mark.parametrize(
    ("role", "may_comment", "may_resolve_others"),
    [
        (Role.OWNER, True, True),
        (Role.MANAGER, True, True),
        (Role.REVIEWER, True, True),
        (Role.EDITOR, True, False),
        (Role.VIEWER, False, False),
    ],
)
def test_who_may_comment_and_resolve(project, segment, team, editor, role, may_comment, may_resolve_others):
    user = MembershipFactory(team=team, role=role, user=UserFactory(username=f"some-{role}")).user
    theirs = comments.comment_on_segment(as_seen_by(project, editor), segment, "A question.", by=editor)
    if may_comment:
        mine = comments.comment_on_segment(as_seen_by(project, user), segment, "Mine.", by=user)
        assert comments.set_resolved(as_seen_by(project, user), mine, True, by=user)  # own thread: always
    else:
        with pytest.raises(NotAllowed):
            comments.comment_on_segment(as_seen_by(project, user), segment, "Mine.", by=user)
    if may_resolve_others:
        assert comments.set_resolved(as_seen_by(project, user), theirs, True, by=user)
    else:
        with pytest.raises(NotAllowed):
            comments.set_resolved(as_seen_by(project, user), theirs, True, by=user)
        theirs.refresh_from_db()
        assert theirs.resolved_at is None


def test_only_the_author_edits_or_deletes(project, segment, reviewer, editor):
    comment = comments.comment_on_segment(as_seen_by(project, reviewer), segment, "Original.", by=reviewer)
    with pytest.raises(NotAllowed):
        comments.edit(as_seen_by(project, editor), comment, "Hijacked.", by=editor)
    with pytest.raises(NotAllowed):
        comments.delete(as_seen_by(project, editor), comment, by=editor)
    comment.refresh_from_db()
    assert comment.body == "Original." and comment.edited_at is None
    comments.edit(as_seen_by(project, reviewer), comment, "Corrected.", by=reviewer)
    comment.refresh_from_db()
    assert comment.body == "Corrected." and comment.edited_at is not None


def test_deleting_a_root_with_replies_keeps_the_thread_readable(project, segment, reviewer, editor):
    root = comments.comment_on_segment(as_seen_by(project, reviewer), segment, "Root.", by=reviewer)
    comments.reply(as_seen_by(project, editor), root, "An answer.", by=editor)
    comments.delete(as_seen_by(project, reviewer), root, by=reviewer)
    root.refresh_from_db()
    assert root.deleted_at is not None and root.body == ""
    assert [reply.body for reply in root.replies.all()] == ["An answer."]
    lonely = comments.comment_on_segment(as_seen_by(project, reviewer), segment, "Alone.", by=reviewer)
    comments.delete(as_seen_by(project, reviewer), lonely, by=reviewer)
    assert not Comment.objects.filter(pk=lonely.pk).exists()
    segment.refresh_from_db()
    assert segment.open_comment_count == 1  # the deleted root's thread is still open


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * (Comment.MAX_LENGTH + 1), "nul \x00 byte"])
def test_empty_too_long_or_unstorable_text_is_refused(project, segment, reviewer, body):
    with pytest.raises(CommentError):
        comments.comment_on_segment(as_seen_by(project, reviewer), segment, body, by=reviewer)
    assert not Comment.objects.exists()


def test_a_pinned_comment_needs_a_job_with_an_output_and_a_time(project, reviewer, finished_dub):
    seen = as_seen_by(project, reviewer)
    pinned = comments.comment_at_time(seen, finished_dub, 12_000, "Wrong voice here.", by=reviewer)
    assert pinned.at_ms == 12_000 and pinned.submission == finished_dub
    reply = comments.reply(seen, pinned, "Agreed.", by=reviewer)
    assert reply.at_ms == 12_000  # replies share their thread's place
    running = Submission.objects.create(
        project=project, provider="modelslab", kind="new_dub", status="waiting"
    )
    with pytest.raises(CommentError, match="no output"):
        comments.comment_at_time(seen, running, 1000, "Too early.", by=reviewer)
    with pytest.raises(CommentError):
        comments.comment_at_time(seen, finished_dub, None, "No time.", by=reviewer)


def test_a_segment_of_another_project_cannot_be_commented_through_this_one(project, team, reviewer):
    from .factories import ProjectFactory

    elsewhere = SegmentFactory(project=ProjectFactory(team=team))
    with pytest.raises(CommentError):
        comments.comment_on_segment(as_seen_by(project, reviewer), elsewhere, "Sneaky.", by=reviewer)


# --- mentions ------------------------------------------------------------------------------------------


def test_mentions_of_team_members_are_stored_and_others_stay_text(
    project, segment, reviewer, editor, manager, outsider
):
    comment = comments.comment_on_segment(
        as_seen_by(project, reviewer), segment,
        "@eddie please fix, cc @Manny. Not @nobody, not @oscar (other team), mail eddie@example.com or a@b.com",
        by=reviewer,
    )  # fmt: skip
    assert set(comment.mentioned.all()) == {editor, manager}
    assert list(comments.mentions_for(editor)) == [comment]
    assert list(comments.mentions_for(outsider)) == []


def test_an_edit_updates_the_mentions(project, segment, reviewer, editor, manager):
    seen = as_seen_by(project, reviewer)
    comment = comments.comment_on_segment(seen, segment, "@eddie look", by=reviewer)
    comments.edit(seen, comment, "@manny look instead", by=reviewer)
    assert list(comment.mentioned.all()) == [manager]
    assert list(comments.mentions_for(editor)) == []


def test_someone_who_left_the_team_no_longer_sees_their_mentions(project, segment, reviewer, editor, team):
    comments.comment_on_segment(as_seen_by(project, reviewer), segment, "@eddie", by=reviewer)
    editor.memberships.filter(team=team).delete()
    assert list(comments.mentions_for(editor)) == []
    assert Mention.objects.count() == 1  # the record stays; it is just not theirs to read any more


def test_suggestions_are_team_members_only(project, reviewer, editor, manager, outsider):
    names = [user.username for user in comments.member_suggestions(as_seen_by(project, reviewer), "@")]
    assert names == ["eddie", "manny", "rita"]
    assert [u.username for u in comments.member_suggestions(project, "ma")] == ["manny"]
    assert comments.member_suggestions(project, "osc") == []


# --- comments survive the script's edits -----------------------------------------------------------------


def test_a_deleted_segments_comments_come_back_with_undo(project, segment, reviewer, editor):
    comments.comment_on_segment(as_seen_by(project, reviewer), segment, "Keep me.", by=reviewer)
    editing.delete_segments(project, [segment.pk], by=editor)
    assert Comment.objects.filter(segment_id=segment.pk).count() == 1  # not cascaded away
    editing.undo(project, by=editor)
    segment.refresh_from_db()
    assert segment.open_comment_count == 1
    assert [c.body for c in comments.threads(project, segment=segment)] == ["Keep me."]


def test_editing_a_segment_keeps_its_count(project, segment, reviewer, editor):
    comments.comment_on_segment(as_seen_by(project, reviewer), segment, "Note.", by=reviewer)
    segment.refresh_from_db()
    editing.save_segment(project, segment.pk, {"target_text": "Salut."}, version=segment.version, by=editor)
    editing.split_segment(project, segment.pk, version=segment.version + 1, at_ms=13_000, by=editor)
    segment.refresh_from_db()
    assert segment.open_comment_count == 1


def test_comments_of_a_segment_gone_for_good_are_read_on_the_project(project, segment, reviewer, editor):
    comments.comment_on_project(as_seen_by(project, reviewer), "About the whole project.", by=reviewer)
    comments.comment_on_segment(as_seen_by(project, reviewer), segment, "About a line.", by=reviewer)
    assert [c.body for c in comments.threads(project)] == ["About the whole project."]
    editing.delete_segments(project, [segment.pk], by=editor)
    assert [c.body for c in comments.threads(project)] == ["About the whole project.", "About a line."]


@pytest.mark.django_db
def test_the_demo_has_a_discussion_with_a_mention_once():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")  # run again: the discussion is not added twice
    editor = get_user_model().objects.get(username="editor")
    [mention] = comments.mentions_for(editor)
    assert mention.project.title == "Product launch keynote" and mention.replies.count() == 1
    assert mention.segment.open_comment_count == 1
    assert Comment.objects.filter(project=mention.project, parent__isnull=True).count() == 2
