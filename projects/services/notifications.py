"""Notifications: what a person should see (mentioned, asked to review, assigned, a job of theirs ended).

One function writes them, `notify`; the header shows the unread count (one indexed count), the
notifications page lists them, and the kinds in EMAILED are also emailed (after the commit, by a job)
unless the person turned that off in their notification settings.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Notification, NotificationSettings

Kind = Notification.Kind

# kind → the NotificationSettings field that lets a person turn its emails off.
EMAILED = {
    Kind.MENTION: "email_mentions",
    Kind.ASSIGNED: "email_assignments",
    Kind.JOB_FINISHED: "email_jobs",
    Kind.JOB_FAILED: "email_jobs",
}


def notify(users, kind, *, text, url="", project=None, actor=None):
    """Tell each of `users` (not the actor: nobody is told of what they did themselves). Returns the
    notifications written."""
    recipients = {user.pk: user for user in users if user and user.is_active and user != actor}
    notes = Notification.objects.bulk_create(
        Notification(user=user, kind=kind, project=project, actor=actor, text=text[:300], url=url[:500])
        for user in recipients.values()
    )
    if kind in EMAILED and notes:
        ids = [note.pk for note in notes]
        transaction.on_commit(lambda: _queue_emails(ids))
    return notes


def _queue_emails(ids):
    from django_q.tasks import async_task

    async_task("projects.tasks.email_notifications", ids, task_name=f"email-notifications-{ids[0]}")


def settings_of(user):
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


def email(ids):
    """Email these notifications to their people, unless they opted out of that kind (the job's body)."""
    notes = Notification.objects.filter(pk__in=ids).select_related("user", "project")
    opted_out = {
        s.user_id: s for s in NotificationSettings.objects.filter(user__in=[n.user_id for n in notes])
    }
    site = settings.SITE_URL.rstrip("/")
    for note in notes:
        choices = opted_out.get(note.user_id)
        if not note.user.email or (choices and not getattr(choices, EMAILED[note.kind])):
            continue
        link = f"\n\n{site}{note.url}" if note.url.startswith("/") else ""
        send_mail(
            subject=f"dubweb: {note.text}"[:150],
            message=f"{note.text}{link}\n\nYou can choose which emails dubweb sends you on your notifications page.",
            from_email=None,
            recipient_list=[note.user.email],
        )


# The header's count, asked by every page now and then and by every presence poll: raw (the ORM's
# count cost ten times the indexed read itself, the notification_unread partial index).
_UNREAD_SQL = "SELECT COUNT(*) FROM projects_notification WHERE user_id = %s AND read_at IS NULL"


def unread_count(user):
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [user.pk])
        return cursor.fetchone()[0]


def mark_read(user, pks=None):
    notes = Notification.objects.filter(user=user, read_at__isnull=True)
    if pks is not None:
        notes = notes.filter(pk__in=pks)
    return notes.update(read_at=timezone.now())


def job_ended(submission):
    """A job its requester should hear about: finished or failed."""
    if not submission.created_by_id:
        return
    kind = Kind.JOB_FINISHED if submission.status == submission.Status.SUCCEEDED else Kind.JOB_FAILED
    verb = "finished" if kind == Kind.JOB_FINISHED else "failed"
    notify(
        [submission.created_by],
        kind,
        text=f"{submission.get_kind_display()} for “{submission.project.title}” {verb}",
        url=f"{reverse('projects:jobs')}?project={submission.project_id}",
        project=submission.project,
    )


def _link_for_comment(comment):
    """Where a notification about `comment` leads: the editor at that segment with its thread open
    (static/js/editor.js reads ?segment=), the project page for a project's or a job's comment."""
    if comment.segment_id:
        return (
            reverse("projects:editor", args=[comment.project_id])
            + f"?segment={comment.segment_id}&thread=open"
        )
    return reverse("projects:detail", args=[comment.project_id])


def mentioned(comment, users, *, project):
    """People newly @mentioned in `comment`."""
    from ..people import display_name

    author = display_name(comment.author) if comment.author_id else "Someone"
    excerpt = comment.body.replace("\n", " ")
    excerpt = excerpt if len(excerpt) <= 90 else excerpt[:89] + "…"
    notify(
        users,
        Kind.MENTION,
        text=f"{author} mentioned you on “{project.title}”: {excerpt}",
        url=_link_for_comment(comment),
        project=project,
        actor=comment.author,
    )


def review_requested(project, *, by, what):
    """Ask the people whose review the project waits for (review_selectors.reviewer_ids): those assigned
    to review it, else the team's reviewers. Their "Needs my review" filter shows them what waits."""
    from django.contrib.auth import get_user_model

    from ..review_selectors import reviewer_ids

    reviewers = list(get_user_model().objects.filter(pk__in=reviewer_ids(project)))
    notify(
        reviewers,
        Kind.REVIEW_REQUESTED,
        text=f"{_name(by)} asks you to review {what} of “{project.title}”",
        url=reverse("projects:editor", args=[project.pk]) + "?status=my_review",
        project=project,
        actor=by,
    )


def changes_requested(project, segment_ids, *, by, what, reason):
    """Tell the translators (assigned to translate the project, else whoever last edited those segments)."""
    from ..models import Assignment, ScriptEdit

    translators = [
        a.user for a in Assignment.objects.filter(project=project, task="translate").select_related("user")
    ]
    if not translators:
        last_editors = (
            ScriptEdit.objects.filter(project=project, segment_links__segment_id__in=list(segment_ids)[:500])
            .exclude(user=None)
            .exclude(user=by)
            .values_list("user", flat=True)
            .distinct()[:20]
        )
        from django.contrib.auth import get_user_model

        translators = list(get_user_model().objects.filter(pk__in=list(last_editors)))
    short = reason if len(reason) <= 90 else reason[:89] + "…"
    notify(
        translators,
        Kind.CHANGES_REQUESTED,
        text=f"{_name(by)} asks for changes to {what} of “{project.title}”: {short}",
        url=reverse("projects:editor", args=[project.pk]) + "?status=changes_requested",
        project=project,
        actor=by,
    )


def _name(user):
    from ..people import display_name

    return display_name(user) if user else "Someone"
