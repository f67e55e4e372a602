"""Notifications: what a person should see (mentioned, asked to review, assigned, a job of theirs ended).

One function writes them, `notify`; the header shows the unread count (one indexed count), the
notifications page lists them, and the kinds in EMAILED are also emailed (after the commit, by a job)
unless the person turned that off in their notification settings.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
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


def unread_count(user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


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
