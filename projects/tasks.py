"""django-q2 entry points: thin; the work and its state are in services.submissions."""

from .services import outputs, submissions


def send_submission(submission_pk):
    submissions.send(submission_pk)


def check_submissions():
    """Periodic: look at the provider jobs that are due a check (and, in the sandbox, let the fake
    ModelsLab deliver the webhooks of the dubs it has finished)."""
    from django.conf import settings

    if settings.PROVIDER_SANDBOX:
        from sandbox.webhooks import deliver_due_webhooks

        deliver_due_webhooks()
    submissions.check_due()


def check_submission(submission_pk):
    """One check now (after a webhook, or "Check now")."""
    submissions.check(submission_pk)


def keep_outputs(submission_pk):
    """Copy a finished job's output files into dubweb's storage."""
    outputs.keep(submission_pk)
