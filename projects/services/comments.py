"""Comments and @mentions: every write to them goes through here, in one transaction each.

Who may do what: access.PERMISSIONS["comment"] to write, ["resolve_comments"] to resolve any thread;
authors edit, delete, resolve and reopen their own. Each write keeps Segment.open_comment_count (the
editor's row badge) right by counting again under the same transaction, so concurrent writes cannot
drift it.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import access, comment_text, text_input
from ..models import Comment, Membership, Mention, Segment
from ..timecodes import MAX_MS
from . import notifications


class CommentError(Exception):
    """A comment that cannot be written as asked; the message says why, for the person."""


class NotAllowed(CommentError):
    """The person's role, or not being the author, does not allow this."""


def _check_body(body):
    body = (body or "").strip()
    if not body:
        raise CommentError("Write something first: the comment is empty.")
    if len(body) > Comment.MAX_LENGTH:
        raise CommentError(f"A comment can be at most {Comment.MAX_LENGTH:,} characters ({len(body):,} now).")
    if problem := text_input.problem(body, "The comment"):
        raise CommentError(problem)
    return body


def _require(project, action):
    if not access.can(project.role, action):
        raise NotAllowed(
            "Your role does not allow commenting." if action == "comment" else "You cannot do this."
        )


def team_members(project):
    """The users of the project's team (the people who can be mentioned)."""
    return get_user_model().objects.filter(memberships__team_id=project.team_id)


def _store_mentions(comment, project):
    """Mention rows for the @names in the body that are members of the project's team; other @names
    (unknown users, other teams' users, e-mail addresses) stay plain text."""
    names = comment_text.mentioned_names(comment.body)
    already = set(Mention.objects.filter(comment=comment).values_list("user_id", flat=True))
    Mention.objects.filter(comment=comment).delete()
    if not names:
        return []
    users = list(
        team_members(project)
        .filter(Q.create([("username__iexact", name) for name in names], connector=Q.OR))
        .exclude(pk=comment.author_id)
        .distinct()
    )
    Mention.objects.bulk_create(Mention(comment=comment, user=user) for user in users)
    # Told once: an edit of the comment tells only the people it mentions anew.
    notifications.mentioned(comment, [user for user in users if user.pk not in already], project=project)
    return users


def recount_open(segment_ids):
    """Store each segment's number of open threads (one UPDATE)."""
    segment_ids = [pk for pk in set(segment_ids) if pk]
    if not segment_ids:
        return
    open_threads = (
        Comment.objects.filter(segment_id=OuterRef("pk"), parent__isnull=True, resolved_at__isnull=True)
        .order_by()
        .values("segment_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Segment.objects.filter(pk__in=segment_ids).update(
        open_comment_count=Coalesce(Subquery(open_threads, output_field=IntegerField()), 0)
    )


def _create(project, by, body, **anchor):
    _require(project, "comment")
    body = _check_body(body)
    with transaction.atomic():
        comment = Comment.objects.create(project_id=project.pk, author=by, body=body, **anchor)
        _store_mentions(comment, project)
        recount_open([comment.segment_id])
    return comment


def comment_on_project(project, body, *, by):
    return _create(project, by, body)


def comment_on_segment(project, segment, body, *, by):
    if segment.project_id != project.pk:
        raise CommentError("That segment is not in this project.")
    return _create(project, by, body, segment=segment)


def comment_at_time(project, submission, at_ms, body, *, by):
    """A comment pinned at `at_ms` on the submission's output video."""
    if submission.project_id != project.pk:
        raise CommentError("That job is not in this project.")
    if not (submission.output_video_url or submission.output_video_file or submission.output_audio_url
            or submission.output_audio_file):  # fmt: skip
        raise CommentError("This job has no output to comment on yet.")
    if at_ms is None or not 0 <= at_ms <= MAX_MS:
        raise CommentError("The time must be between 0:00 and 24 hours.")
    return _create(project, by, body, submission=submission, at_ms=at_ms)


def reply(project, thread, body, *, by):
    """A reply to a thread (to its root: threads are one level deep). Replying does not reopen it."""
    root = thread if thread.parent_id is None else thread.parent
    if root.project_id != project.pk:
        raise CommentError("That comment is not in this project.")
    return _create(
        project, by, body, parent=root, segment_id=root.segment_id, submission_id=root.submission_id,
        at_ms=root.at_ms,
    )  # fmt: skip


def edit(project, comment, body, *, by):
    """The author changes their text; the mentions follow the new text."""
    _require(project, "comment")
    if comment.author_id != by.pk:
        raise NotAllowed("Only its author can edit a comment.")
    if comment.deleted_at:
        raise CommentError("This comment was deleted.")
    body = _check_body(body)
    with transaction.atomic():
        comment.body = body
        comment.edited_at = timezone.now()
        Comment.objects.filter(pk=comment.pk).update(body=body, edited_at=comment.edited_at)
        _store_mentions(comment, project)
    return comment


def can_resolve(project, thread, user):
    return access.can(project.role, "resolve_comments") or (
        thread.author_id == user.pk and access.can(project.role, "comment")
    )


def set_resolved(project, thread, resolved, *, by):
    """Resolve (or reopen) a thread. Answers whether it changed (resolving a resolved thread does not)."""
    if thread.parent_id is not None:
        raise CommentError("Resolve the thread, not one of its replies.")
    if not can_resolve(project, thread, by):
        raise NotAllowed("Only reviewers, managers, owners and the thread's author can resolve it.")
    with transaction.atomic():
        rows = Comment.objects.filter(pk=thread.pk, resolved_at__isnull=resolved)
        now = timezone.now() if resolved else None
        changed = rows.update(resolved_at=now, resolved_by=by if resolved else None) == 1
        if changed:
            thread.resolved_at, thread.resolved_by = now, by if resolved else None
            recount_open([thread.segment_id])
    return changed


def delete(project, comment, *, by):
    """The author deletes their comment. A thread's root that has replies stays as "deleted", so the
    replies still read in context; anything else goes."""
    _require(project, "comment")
    if comment.author_id != by.pk:
        raise NotAllowed("Only its author can delete a comment.")
    with transaction.atomic():
        if comment.parent_id is None and comment.replies.exists():
            Comment.objects.filter(pk=comment.pk).update(body="", deleted_at=timezone.now())
            Mention.objects.filter(comment=comment).delete()
        else:
            comment.delete()
        recount_open([comment.segment_id])


# --- reads ---------------------------------------------------------------------------------------------


def threads(project, **anchor):
    """The threads at one anchor (segment=…, submission=…, or project-level with neither), oldest first,
    with their replies, authors and mentions: four queries whatever their number."""
    roots = Comment.objects.filter(project_id=project.pk, parent__isnull=True)
    if "segment" in anchor:
        roots = roots.filter(segment=anchor["segment"])
    elif "submission" in anchor:
        roots = roots.filter(submission=anchor["submission"]).order_by("at_ms", "created_at", "id")
    else:
        # The project's own threads, and those of segments no longer in the script (deleted, replaced by
        # an import): they stay readable here rather than vanish.
        gone = Q(segment__isnull=False) & ~Exists(Segment.objects.filter(pk=OuterRef("segment_id")))
        roots = roots.filter(Q(segment__isnull=True, submission__isnull=True) | gone)
    return list(
        roots.select_related("author", "resolved_by").prefetch_related(
            "mentioned",
            Prefetch(
                "replies", queryset=Comment.objects.select_related("author").prefetch_related("mentioned")
            ),
        )
    )


def open_count(project):
    """Unresolved threads in the project (one query)."""
    return Comment.objects.filter(
        project_id=project.pk, parent__isnull=True, resolved_at__isnull=True
    ).count()


def with_open_comments(project, segments=None):
    """The project's segments that have an unresolved thread, read from the stored count (no join):
    all of them, or those of `segments` (a Segment queryset, e.g. the editor's filtered rows)."""
    if segments is None:
        segments = Segment.objects.filter(project=project)
    return segments.filter(project=project, open_comment_count__gt=0)


def mentions_for(user):
    """Comments that mention `user`, newest first, in the teams they still belong to (for notifications
    and "My work")."""
    return (
        Comment.objects.filter(
            mentions__user=user,
            deleted_at__isnull=True,
            project__team__in=Membership.objects.filter(user=user).values("team"),
        )
        .select_related("author", "project")
        .order_by("-created_at", "-id")
    )


def member_suggestions(project, prefix, *, limit=8):
    """Team members whose username (or name) starts with `prefix`, for the @ autocomplete."""
    prefix = (prefix or "").replace("\x00", "").strip().lstrip("@")[:150]  # no NUL reaches PostgreSQL
    members = team_members(project).order_by("username")
    if prefix:
        members = members.filter(
            Q(username__istartswith=prefix)
            | Q(first_name__istartswith=prefix)
            | Q(last_name__istartswith=prefix)
        )
    return list(members.only("username", "first_name", "last_name")[:limit])
