"""django-q2 entry points: thin; the work and its state are in services.submissions."""

from .services import outputs, submissions, waveforms
from .signals import checks_due


def send_submission(submission_pk):
    submissions.send(submission_pk)


def check_submissions():
    """Periodic: look at the provider jobs that are due a check (and let whoever listens, such as the
    sandbox's fake ModelsLab delivering the webhooks of the dubs it has finished, act first)."""
    checks_due.send(sender=check_submissions)
    submissions.check_due()


def check_submission(submission_pk):
    """One check now (after a webhook, or "Check now")."""
    submissions.check(submission_pk)


def keep_outputs(submission_pk):
    """Copy a finished job's output files into dubweb's storage."""
    outputs.keep(submission_pk)


def email_notifications(notification_ids):
    from .services import notifications

    notifications.email(notification_ids)


def compute_waveform(waveform_pk, generation):
    """Compute the audio peaks of a source video or a kept output (one request: its generation)."""
    waveforms.compute(waveform_pk, generation)
